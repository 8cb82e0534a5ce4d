// SPDX-License-Identifier: GPL-2.0-only OR MIT
//
// tflite_ref_run: run a TFLite model on raw input files with TFLite 2.14
// and write the raw outputs. This is edgenpu's correctness oracle; it is
// built and run inside the Debian unstable chroot that
// scripts/tflite-oracle-setup makes (libtensorflow-lite-dev).
//
//   tflite_ref_run [--mode ref|optimized|xnnpack] [--threads N]
//                  [--bench ITER] [--warmup N] MODEL IN0.bin [IN1.bin...] OUTDIR
//   tflite_ref_run [options] --batch FILE   (one job a line, see --help)
//
// Modes:
//   ref        tflite::ops::builtin::BuiltinRefOpResolver: the reference
//              kernels, the specification edgenpu matches bit for bit.
//   optimized  the default builtin kernels with the default delegates
//              removed (BuiltinOpResolverWithoutDefaultDelegates), so
//              XNNPACK stays off even when /proc is mounted.
//   xnnpack    BuiltinOpResolverWithXNNPACK: the default XNNPACK delegate
//              (needs /proc in the chroot for cpuinfo).
//
// Each input file must hold exactly the input tensor's bytes. Output i is
// written to OUTDIR/output<i>.bin. One line of JSON on stdout summarises
// the run. Exit codes: 0 ok, 1 TFLite failed (build, prepare or invoke),
// 2 bad usage or bad input (unreadable model, wrong input count or size).

#include <algorithm>
#include <cerrno>
#include <cstdarg>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <numeric>
#include <sstream>
#include <string>
#include <vector>

#include <sys/stat.h>

#include "tensorflow/lite/core/api/error_reporter.h"
#include "tensorflow/lite/core/kernels/register.h"
#include "tensorflow/lite/interpreter.h"
#include "tensorflow/lite/kernels/register_ref.h"
#include "tensorflow/lite/model.h"
#include "tensorflow/lite/c/c_api.h"

namespace {

constexpr int kExitOk = 0;
constexpr int kExitRun = 1;
constexpr int kExitUsage = 2;

const char kUsage[] =
    "usage: tflite_ref_run [--mode ref|optimized|xnnpack] [--threads N]\n"
    "                      [--bench ITER] [--warmup N] MODEL IN0.bin "
    "[IN1.bin...] OUTDIR\n"
    "       tflite_ref_run [options] --batch FILE\n"
    "  --mode ref        TFLite reference kernels (default; the spec)\n"
    "  --mode optimized  default builtin kernels, no delegates\n"
    "  --mode xnnpack    XNNPACK delegate (needs /proc for cpuinfo)\n"
    "  --threads N       interpreter threads (default 1)\n"
    "  --bench ITER      after the first run, time ITER runs and report\n"
    "                    median and mean latency in ms\n"
    "  --warmup N        untimed runs before --bench timing (default 1)\n"
    "  --batch FILE      run many jobs, one a line, tab-separated:\n"
    "                    ID MODEL OUTDIR IN0.bin [IN1.bin...]; one JSON\n"
    "                    line each with \"status\" (0/1/2) and \"error\"\n"
    "Writes OUTDIR/output<i>.bin; prints one JSON line per job.\n"
    "Exit: 0 ok, 1 TFLite failure (any job in a batch), 2 bad usage or\n"
    "input (unreadable model, wrong input count or size).\n";

struct Options {
  std::string mode = "ref";
  int threads = 1;
  int bench = 0;
  int warmup = 1;
  std::string batch;
  std::string model;
  std::vector<std::string> inputs;
  std::string outdir;
};

[[noreturn]] void Fail(int code, const std::string& msg) {
  std::fprintf(stderr, "tflite_ref_run: error: %s\n", msg.c_str());
  std::exit(code);
}

bool ParseInt(const char* s, int min, int* out) {
  char* end = nullptr;
  errno = 0;
  long v = std::strtol(s, &end, 10);
  if (errno || end == s || *end || v < min || v > 1000000) return false;
  *out = static_cast<int>(v);
  return true;
}

Options ParseArgs(int argc, char** argv) {
  Options o;
  std::vector<std::string> pos;
  for (int i = 1; i < argc; i++) {
    std::string a = argv[i];
    auto value = [&](const char* name) -> const char* {
      if (i + 1 >= argc) Fail(kExitUsage, std::string(name) + " needs a value");
      return argv[++i];
    };
    if (a == "-h" || a == "--help") {
      std::fputs(kUsage, stdout);
      std::exit(kExitOk);
    } else if (a == "--mode") {
      o.mode = value("--mode");
      if (o.mode != "ref" && o.mode != "optimized" && o.mode != "xnnpack")
        Fail(kExitUsage, "unknown --mode '" + o.mode +
                             "' (ref, optimized or xnnpack)");
    } else if (a == "--threads") {
      if (!ParseInt(value("--threads"), 1, &o.threads))
        Fail(kExitUsage, "--threads needs an integer >= 1");
    } else if (a == "--bench") {
      if (!ParseInt(value("--bench"), 1, &o.bench))
        Fail(kExitUsage, "--bench needs an integer >= 1");
    } else if (a == "--warmup") {
      if (!ParseInt(value("--warmup"), 0, &o.warmup))
        Fail(kExitUsage, "--warmup needs an integer >= 0");
    } else if (a == "--batch") {
      o.batch = value("--batch");
    } else if (a == "--") {
      for (i++; i < argc; i++) pos.push_back(argv[i]);
    } else if (a.size() > 1 && a[0] == '-') {
      std::fputs(kUsage, stderr);
      Fail(kExitUsage, "unknown option '" + a + "'");
    } else {
      pos.push_back(a);
    }
  }
  if (!o.batch.empty()) {
    if (!pos.empty()) Fail(kExitUsage, "--batch takes no MODEL or files");
    return o;
  }
  if (pos.size() < 2) {
    std::fputs(kUsage, stderr);
    Fail(kExitUsage, "need MODEL, the input files and OUTDIR");
  }
  o.model = pos.front();
  o.outdir = pos.back();
  o.inputs.assign(pos.begin() + 1, pos.end() - 1);
  return o;
}

std::string JsonString(const std::string& s) {
  std::string r = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      r += '\\';
      r += static_cast<char>(c);
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\u%04x", c);
      r += buf;
    } else {
      r += static_cast<char>(c);
    }
  }
  return r + "\"";
}

std::string TypeName(TfLiteType t) {
  std::string n = TfLiteTypeGetName(t);
  std::transform(n.begin(), n.end(), n.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return n;
}

std::string Shape(const TfLiteTensor* t) {
  std::string s = "[";
  for (int d = 0; t->dims && d < t->dims->size; d++) {
    if (d) s += ",";
    s += std::to_string(t->dims->data[d]);
  }
  return s + "]";
}

std::string TensorJson(const TfLiteTensor* t, const std::string& file) {
  std::ostringstream os;
  os.precision(9);
  os << "{\"name\":" << JsonString(t->name ? t->name : "")
     << ",\"shape\":" << Shape(t) << ",\"type\":" << JsonString(TypeName(t->type))
     << ",\"bytes\":" << t->bytes;
  if (t->quantization.type == kTfLiteAffineQuantization)
    os << ",\"scale\":" << t->params.scale
       << ",\"zero_point\":" << t->params.zero_point;
  if (!file.empty()) os << ",\"file\":" << JsonString(file);
  os << "}";
  return os.str();
}

bool ReadFile(const std::string& path, std::vector<char>* data) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return false;
  data->assign(std::istreambuf_iterator<char>(f), {});
  return !f.bad();
}

double Ms(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

// Collects TFLite's error messages so that each job reports its own.
class CapturingReporter : public tflite::ErrorReporter {
 public:
  explicit CapturingReporter(bool echo) : echo_(echo) {}
  int Report(const char* format, va_list args) override {
    char buf[1024];
    int n = std::vsnprintf(buf, sizeof(buf), format, args);
    if (echo_) std::fprintf(stderr, "%s\n", buf);
    if (!text_.empty()) text_ += "; ";
    text_ += buf;
    return n;
  }
  const std::string& text() const { return text_; }

 private:
  bool echo_;
  std::string text_;
};

// Models TFLite 2.14 accepts but would run out of bounds. Its integer SVDF
// keeps an int16 state (reference_ops::EvalIntegerSVDF); TFLite Micro
// models may carry an int8 state tensor, which TFLite then overruns
// (heap corruption, garbage outputs, a crash at teardown).
std::string KnownUnsupported(tflite::Interpreter* interp) {
  for (int n : interp->execution_plan()) {
    const auto* nr = interp->node_and_registration(n);
    if (!nr || nr->second.builtin_code != kTfLiteBuiltinSvdf) continue;
    const TfLiteNode& node = nr->first;
    if (node.inputs->size < 5 || node.inputs->data[0] < 0 ||
        node.inputs->data[4] < 0)
      continue;
    const TfLiteTensor* in = interp->tensor(node.inputs->data[0]);
    const TfLiteTensor* state = interp->tensor(node.inputs->data[4]);
    if (in->type == kTfLiteInt8 && state->type != kTfLiteInt16)
      return "node " + std::to_string(n) +
             " SVDF: int8 input with a " + TypeName(state->type) +
             " state tensor; TFLite 2.14's integer SVDF needs an int16 "
             "state (int8 state is a TFLite Micro convention) and would "
             "write past the tensor";
  }
  return "";
}

struct Job {
  std::string id;
  std::string model;
  std::vector<std::string> inputs;
  std::string outdir;
};

struct Result {
  int code = kExitOk;
  std::string error;
  std::string json;  // the summary fields, without braces
};

Result Error(int code, const std::string& msg, const CapturingReporter& rep) {
  Result r;
  r.code = code;
  r.error = msg;
  if (!rep.text().empty()) r.error += " (TFLite: " + rep.text() + ")";
  return r;
}

Result RunJob(const Options& o, const Job& job, bool echo) {
  CapturingReporter rep(echo);
  struct stat st;
  if (stat(job.model.c_str(), &st) != 0)
    return Error(kExitUsage,
                 "cannot open model '" + job.model + "': " + strerror(errno),
                 rep);
  // Run the flatbuffer verifier before using the file.
  std::unique_ptr<tflite::FlatBufferModel> model =
      tflite::FlatBufferModel::VerifyAndBuildFromFile(job.model.c_str(),
                                                      nullptr, &rep);
  if (!model)
    return Error(kExitUsage, "'" + job.model + "' is not a valid TFLite model",
                 rep);

  std::unique_ptr<tflite::Interpreter> interp;
  TfLiteStatus built = kTfLiteError;
  if (o.mode == "ref") {
    tflite::ops::builtin::BuiltinRefOpResolver resolver;
    built = tflite::InterpreterBuilder(*model, resolver)(&interp,
                                                              o.threads);
  } else if (o.mode == "optimized") {
    tflite::ops::builtin::BuiltinOpResolverWithoutDefaultDelegates resolver;
    built = tflite::InterpreterBuilder(*model, resolver)(&interp,
                                                              o.threads);
  } else {
    tflite::ops::builtin::BuiltinOpResolverWithXNNPACK resolver;
    built = tflite::InterpreterBuilder(*model, resolver)(&interp,
                                                              o.threads);
  }
  if (built != kTfLiteOk || !interp)
    return Error(kExitRun, "TFLite could not build an interpreter", rep);
  // AllocateTensors runs every kernel's Prepare (and applies the lazy
  // XNNPACK delegate in xnnpack mode).
  if (interp->AllocateTensors() != kTfLiteOk)
    return Error(kExitRun, "TFLite refused the model in AllocateTensors",
                 rep);

  if (std::string why = KnownUnsupported(interp.get()); !why.empty())
    return Error(kExitRun, why, rep);

  const std::vector<int>& in_idx = interp->inputs();
  if (job.inputs.size() != in_idx.size())
    return Error(kExitUsage,
                 "model has " + std::to_string(in_idx.size()) +
                     " input(s), " + std::to_string(job.inputs.size()) +
                     " file(s) given",
                 rep);
  std::string inputs_json;
  for (size_t i = 0; i < in_idx.size(); i++) {
    TfLiteTensor* t = interp->tensor(in_idx[i]);
    std::vector<char> data;
    if (!ReadFile(job.inputs[i], &data))
      return Error(kExitUsage,
                   "cannot read input " + std::to_string(i) + " '" +
                       job.inputs[i] + "'",
                   rep);
    if (data.size() != t->bytes)
      return Error(kExitUsage,
                   "input " + std::to_string(i) + " '" + job.inputs[i] +
                       "' has " + std::to_string(data.size()) +
                       " bytes; tensor '" + (t->name ? t->name : "") + "' " +
                       Shape(t) + " " + TypeName(t->type) +
                       " needs exactly " + std::to_string(t->bytes),
                   rep);
    std::memcpy(t->data.raw, data.data(), data.size());
    inputs_json += (i ? "," : "") + TensorJson(t, "");
  }

  // Nodes a delegate took over (0 for ref and optimized).
  int delegated = 0;
  for (int n : interp->execution_plan()) {
    const auto* nr = interp->node_and_registration(n);
    if (nr && nr->first.delegate) delegated++;
  }
  if (o.mode == "xnnpack" && delegated == 0)
    return Error(kExitRun,
                 "XNNPACK took no node: this TFLite build has no XNNPACK "
                 "delegate, /proc is not mounted, or no op qualifies",
                 rep);

  auto t0 = std::chrono::steady_clock::now();
  if (interp->Invoke() != kTfLiteOk)
    return Error(kExitRun, "TFLite Invoke failed", rep);
  double first_ms = Ms(std::chrono::steady_clock::now() - t0);

  if (mkdir(job.outdir.c_str(), 0755) != 0 && errno != EEXIST)
    return Error(kExitUsage,
                 "cannot create '" + job.outdir + "': " + strerror(errno),
                 rep);
  std::string outputs_json;
  const std::vector<int>& out_idx = interp->outputs();
  for (size_t i = 0; i < out_idx.size(); i++) {
    const TfLiteTensor* t = interp->tensor(out_idx[i]);
    std::string file = "output" + std::to_string(i) + ".bin";
    std::string path = job.outdir + "/" + file;
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f.write(t->data.raw_const, static_cast<std::streamsize>(t->bytes));
    f.close();
    if (!f) return Error(kExitRun, "cannot write '" + path + "'", rep);
    outputs_json += (i ? "," : "") + TensorJson(t, file);
  }

  std::ostringstream bench;
  if (o.bench > 0) {
    for (int i = 0; i < o.warmup; i++)
      if (interp->Invoke() != kTfLiteOk)
        return Error(kExitRun, "TFLite Invoke failed", rep);
    std::vector<double> ms;
    for (int i = 0; i < o.bench; i++) {
      auto s = std::chrono::steady_clock::now();
      if (interp->Invoke() != kTfLiteOk)
        return Error(kExitRun, "TFLite Invoke failed", rep);
      ms.push_back(Ms(std::chrono::steady_clock::now() - s));
    }
    std::vector<double> sorted = ms;
    std::sort(sorted.begin(), sorted.end());
    size_t n = sorted.size();
    double median =
        n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
    double mean = std::accumulate(ms.begin(), ms.end(), 0.0) / n;
    bench.precision(6);
    bench << ",\"bench\":{\"iterations\":" << n << ",\"warmup\":" << o.warmup
          << ",\"median_ms\":" << median << ",\"mean_ms\":" << mean
          << ",\"min_ms\":" << sorted.front()
          << ",\"max_ms\":" << sorted.back() << "}";
  }

  std::ostringstream js;
  js.precision(6);
  js << "\"nodes\":" << interp->execution_plan().size()
     << ",\"delegated_nodes\":" << delegated << ",\"inputs\":[" << inputs_json
     << "],\"outputs\":[" << outputs_json << "],\"first_run_ms\":" << first_ms
     << bench.str();
  Result r;
  r.json = js.str();
  return r;
}

std::string Summary(const Options& o, const Job& job, const Result& r) {
  std::ostringstream js;
  js << "{";
  if (!job.id.empty()) js << "\"id\":" << JsonString(job.id) << ",";
  js << "\"model\":" << JsonString(job.model)
     << ",\"mode\":" << JsonString(o.mode)
     << ",\"tflite\":" << JsonString(TfLiteVersion())
     << ",\"threads\":" << o.threads << ",\"status\":" << r.code;
  if (r.code != kExitOk) js << ",\"error\":" << JsonString(r.error);
  if (!r.json.empty()) js << "," << r.json;
  js << "}";
  return js.str();
}

std::vector<std::string> SplitTabs(const std::string& line) {
  std::vector<std::string> f;
  std::string cur;
  for (char c : line) {
    if (c == '\t') {
      f.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  f.push_back(cur);
  return f;
}

// --batch FILE: one job a line, tab-separated: ID MODEL OUTDIR IN0 [IN1...].
// One JSON line per job on stdout, with "status" 0, 1 or 2 and "error".
int RunBatch(const Options& o) {
  std::ifstream f(o.batch);
  if (!f) Fail(kExitUsage, "cannot read batch file '" + o.batch + "'");
  std::string line;
  int worst = kExitOk, lineno = 0;
  while (std::getline(f, line)) {
    lineno++;
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> fields = SplitTabs(line);
    Job job;
    Result r;
    if (fields.size() < 3) {
      job.id = fields[0];
      r.code = kExitUsage;
      r.error = "batch line " + std::to_string(lineno) +
                ": need ID, MODEL, OUTDIR and the inputs";
    } else {
      job.id = fields[0];
      job.model = fields[1];
      job.outdir = fields[2];
      job.inputs.assign(fields.begin() + 3, fields.end());
      r = RunJob(o, job, false);
    }
    std::printf("%s\n", Summary(o, job, r).c_str());
    std::fflush(stdout);
    if (r.code != kExitOk) worst = kExitRun;
  }
  return worst;
}

}  // namespace

int main(int argc, char** argv) {
  Options o = ParseArgs(argc, argv);
  if (!o.batch.empty()) return RunBatch(o);
  Job job;
  job.model = o.model;
  job.inputs = o.inputs;
  job.outdir = o.outdir;
  Result r = RunJob(o, job, false);
  if (r.code != kExitOk) {
    std::fprintf(stderr, "tflite_ref_run: error: %s\n", r.error.c_str());
    return r.code;
  }
  std::printf("%s\n", Summary(o, job, r).c_str());
  return kExitOk;
}
