#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only OR MIT
"""Oracle tests (TAP): TFLite 2.14 accepts and runs every generated model,
and the oracle reproduces known facts about the shared real models.

  run_oracle_tests.py [--build DIR] [--shared DIR] [--emit] [--mode MODE]
                      [--no-mobilenet] [--seed N]

1. Generates every model (tests/models/gen_models.py) with deterministic
   inputs into BUILD/models, and runs them all through scripts/tflite-oracle
   (TFLite's reference kernels) in one batch.
2. Per model: TFLite accepts it (or refuses it, for the few the manifest
   marks "reject"), and every output has the manifest's shape and type.
3. Data-movement models (RESHAPE, TRANSPOSE, PAD, same-quantization
   CONCATENATION, MAX_POOL_2D without activation, QUANTIZE by +-128) are
   also computed here independently and must match byte for byte.
4. The oracle's own error paths: a truncated model and a wrong-sized
   input give status 2.
5. With ../shared/models: person_detect is refused as shipped (its
   depthwise biases carry quantized_dimension 3); a copy patched by
   fix_person_detect.py gives the outputs stated in the shared README for
   person.bmp and no_person.bmp in both input conventions; hello_world_int8
   and keyword_scrambled_8bit run. Skipped when ../shared/models is absent.

--emit copies each accepted model's outputs to BUILD/models/<name>/
expected<i>.bin (the layout engine-side tests compare against).
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import pyref  # noqa: E402
import tflite_fb  # noqa: E402

# Facts from ../shared/models/README.md: TFLite 2.14 reference outputs,
# int8 [no person, person], on the bias-corrected copy.
PERSON_DETECT_FACTS = (
    ("person.bmp", "raw", [-113, 113]),
    ("no_person.bmp", "raw", [59, -59]),
    ("person.bmp", "minus128", [10, -10]),
    ("no_person.bmp", "minus128", [78, -78]),
)


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0
        self.skipped = 0
        self.todo = 0

    def ok(self, cond, desc, diag=None, todo=None):
        """A test line; with todo, a failure is reported but not counted
        (TAP TODO)."""
        self.n += 1
        print("%s %d - %s%s" % ("ok" if cond else "not ok", self.n, desc,
                                " # TODO " + todo if todo else ""))
        if not cond:
            if todo:
                self.todo += 1
            else:
                self.failed += 1
            for line in (diag or "").splitlines():
                print("# " + line)
        sys.stdout.flush()
        return cond

    def skip(self, desc, reason):
        self.n += 1
        self.skipped += 1
        print("ok %d - %s # SKIP %s" % (self.n, desc, reason))

    def finish(self):
        print("1..%d" % self.n)
        if self.todo:
            print("# %d TODO test(s) not ok (known disagreements, not "
                  "counted as failures)" % self.todo)
        print("oracle-test: %d passed, %d failed, %d skipped"
              % (self.n - self.failed - self.skipped - self.todo,
                 self.failed, self.skipped))
        return 1 if self.failed else 0


# ---------------------------------------------------------------------------
# Independent computations for data-movement ops (no arithmetic).

def to_signed(data, dtype):
    if dtype == "int8":
        return [b - 256 if b > 127 else b for b in data]
    return list(data)


def to_bytes(values):
    return bytes(v & 0xFF for v in values)


def strides(shape):
    s, acc = [], 1
    for d in reversed(shape):
        s.append(acc)
        acc *= d
    return list(reversed(s))


def unravel(i, shape):
    idx = []
    for d in reversed(shape):
        idx.append(i % d)
        i //= d
    return list(reversed(idx))


def expect_transpose(x, shape, perm):
    out_shape = [shape[p] for p in perm]
    st = strides(shape)
    out = []
    for i in range(len(x)):
        oi = unravel(i, out_shape)
        src = sum(oi[k] * st[perm[k]] for k in range(len(perm)))
        out.append(x[src])
    return out


def expect_pad(x, shape, pads, zp):
    out_shape = [d + a + b for d, (a, b) in zip(shape, pads)]
    st = strides(shape)
    out = []
    for i in range(1, 1 + eval_prod(out_shape)):
        oi = unravel(i - 1, out_shape)
        ii = [o - p[0] for o, p in zip(oi, pads)]
        if all(0 <= v < d for v, d in zip(ii, shape)):
            out.append(x[sum(v * s for v, s in zip(ii, st))])
        else:
            out.append(zp)
    return out


def eval_prod(shape):
    n = 1
    for d in shape:
        n *= d
    return n


def expect_concat(xs, shapes, axis):
    axis %= len(shapes[0])
    outer = eval_prod(shapes[0][:axis])
    out = []
    for o in range(outer):
        for x, s in zip(xs, shapes):
            inner = eval_prod(s[axis:])
            out.extend(x[o * inner:(o + 1) * inner])
    return out


def expect_maxpool(x, shape, filt, stride, padding):
    n, h, w, c = shape

    def geometry(size):
        if padding == "SAME":
            o = (size + stride - 1) // stride
            pad = max((o - 1) * stride + filt - size, 0) // 2
        else:
            o = (size - filt) // stride + 1
            pad = 0
        return o, pad
    oh, ph = geometry(h)
    ow, pw = geometry(w)
    out = []
    for b in range(n):
        for y in range(oh):
            for xo in range(ow):
                for ch in range(c):
                    best = None
                    for fy in range(filt):
                        for fx in range(filt):
                            iy = y * stride - ph + fy
                            ix = xo * stride - pw + fx
                            if 0 <= iy < h and 0 <= ix < w:
                                v = x[((b * h + iy) * w + ix) * c + ch]
                                best = v if best is None else max(best, v)
                    out.append(best)
    return out


def independent(entry, inputs):
    """Expected output 0 computed without arithmetic, or None."""
    op, opts = entry["op"], entry["options"]
    ins = entry["inputs"]
    xs = [to_signed(d, i["type"]) for d, i in zip(inputs, ins)]
    shape = ins[0]["shape"]
    if op == "RESHAPE":
        return inputs[0]
    if op == "TRANSPOSE":
        return to_bytes(expect_transpose(xs[0], shape, opts["perm"]))
    if op == "PAD":
        return to_bytes(expect_pad(xs[0], shape, opts["paddings"],
                                   entry["outputs"][0]["zero_point"]))
    if op == "CONCATENATION" and opts.get("same_quant"):
        return to_bytes(expect_concat(xs, [i["shape"] for i in ins],
                                      opts["axis"]))
    if op == "MAX_POOL_2D" and opts.get("activation") == "NONE":
        return to_bytes(expect_maxpool(xs[0], shape, opts["filter"],
                                       opts["stride"], opts["padding"]))
    if op == "QUANTIZE" and opts.get("same_scale"):
        # Same scale, zero point moved by 128: the value plus or minus 128.
        delta = (entry["outputs"][0]["zero_point"] - ins[0]["zero_point"])
        return to_bytes([v + delta for v in xs[0]])
    return None


# ---------------------------------------------------------------------------
# Shared-model inputs.

def bmp_gray_topdown(path):
    """Pixel bytes of an 8-bit grayscale BMP, top-down rows."""
    with open(path, "rb") as f:
        d = f.read()
    if d[:2] != b"BM":
        raise ValueError("%s: not a BMP" % path)
    off = int.from_bytes(d[10:14], "little")
    width = int.from_bytes(d[18:22], "little", signed=True)
    height = int.from_bytes(d[22:26], "little", signed=True)
    bpp = int.from_bytes(d[28:30], "little")
    compression = int.from_bytes(d[30:34], "little")
    if bpp != 8 or compression != 0:
        raise ValueError("%s: need an uncompressed 8-bit BMP" % path)
    palette = d[54:off]
    gray = [palette[4 * i] for i in range(len(palette) // 4)]
    if any(palette[4 * i] != palette[4 * i + 1] or
           palette[4 * i] != palette[4 * i + 2] for i in range(len(gray))):
        raise ValueError("%s: palette is not grayscale" % path)
    stride = (width + 3) & ~3
    rows = [d[off + r * stride:off + r * stride + width]
            for r in range(abs(height))]
    if height > 0:  # positive height: rows stored bottom-up
        rows.reverse()
    return bytes(gray[p] for row in rows for p in row)


def convert(pixels, convention):
    if convention == "raw":       # pixel bytes reinterpreted as int8
        return pixels
    return bytes((p - 128) & 0xFF for p in pixels)  # pixel - 128


# ---------------------------------------------------------------------------

def run_batch(oracle, mode, jobs, workdir):
    """jobs: list of (id, model, outdir, [inputs]); returns id -> result.
    A job that crashes the runner ends its batch: the jobs left without a
    result are run again one by one, so the crash is pinned on one job."""
    def once(some, name):
        listing = os.path.join(workdir, name)
        with open(listing, "w") as f:
            for jid, model, outdir, ins in some:
                f.write("\t".join([jid, model, outdir] + list(ins)) + "\n")
        p = subprocess.run([oracle, "--no-setup", "--mode", mode, "--batch",
                            listing], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
        got = {}
        for line in p.stdout.splitlines():
            try:
                r = json.loads(line)
            except ValueError:
                continue
            got[r.get("id", "")] = r
        return got, p

    results, p = once(jobs, "batch.tsv")
    for k, job in enumerate(j for j in jobs if j[0] not in results):
        got, q = once([job], "retry%d.tsv" % k)
        results[job[0]] = got.get(job[0], {
            "id": job[0], "status": -1,
            "error": "the runner died: " + q.stderr.strip()[-300:]})
    return results, p


# person_detect cases checked against pyref (about 2 s each).
PYREF_PD_CASES = (("person.bmp", "raw"), ("no_person.bmp", "minus128"))


def make_logits_copy(src, dst):
    """Copy src to dst with subgraph output 0 set to SOFTMAX's input
    tensor (a 4-byte change in place). Returns that tensor's index."""
    with open(src, "rb") as f:
        buf = bytearray(f.read())
    info = tflite_fb.ModelInfo(buf)
    softmax = [ins[0] for code, ins, _ in info.operators if code == 25]
    if len(softmax) != 1 or len(info.outputs) != 1:
        raise ValueError("%s: expected one SOFTMAX and one output" % src)
    sg = info.model.tables(tflite_fb.MODEL_SUBGRAPHS)[0]
    vec = sg.t.Vector(sg.t.Offset(4 + 2 * tflite_fb.SUBGRAPH_OUTPUTS))
    buf[vec:vec + 4] = softmax[0].to_bytes(4, "little", signed=True)
    with open(dst, "wb") as f:
        f.write(buf)
    return softmax[0]


def pyref_applies(entry):
    """Generated models pyref can compute (small, ops it implements)."""
    return (entry["op"] != "MOBILENET_V2" and
            all(i["type"] == "int8" for i in entry["inputs"]) and
            all(o in ("CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED",
                      "AVERAGE_POOL_2D", "MAX_POOL_2D", "RESHAPE")
                for o in entry["ops"]))


def pyref_output(entry, models_dir):
    info = tflite_fb.load(os.path.join(models_dir, entry["name"],
                                       "model.tflite"))
    return info.outputs[0]


def first_difference(got, want):
    if want is None:
        return "no pyref result"
    if len(got) != len(want):
        return "%d values vs %d" % (len(got), len(want))
    for i, (a, b) in enumerate(zip(got, want)):
        if a != b:
            return "first difference at %d: TFLite %d, pyref %d" % (i, a, b)
    return ""


def armnn_checks(tap, manifest, models_dir, work):
    """Arm NN's TFLite parser, a second reader of the generated files,
    loads the MobileNet-v2-shaped model and runs the chain model."""
    names = [e["name"] for e in manifest]
    script = os.path.join(HERE, "armnn_check.py")
    for name, run in (("mobilenet_v2_224_avgpool_logits", False),
                      ("chain_conv_dwconv_add_avgpool_fc_softmax", True)):
        desc = "Arm NN's TFLite parser %s %s" % (
            "loads and runs" if run else "loads", name)
        if name not in names:
            tap.skip(desc, "model not generated")
            continue
        d = os.path.join(models_dir, name)
        cmd = [sys.executable, script]
        if run:
            cmd += ["--run", os.path.join(d, "model.tflite"),
                    os.path.join(d, "input0.bin"),
                    os.path.join(work, "gen", name, "output0.bin")]
        else:
            cmd.append(os.path.join(d, "model.tflite"))
        p = subprocess.run(cmd, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
        if p.returncode == 77:
            tap.skip(desc, "pyarmnn not installed (scripts/install-deps)")
            continue
        lines = p.stdout.strip().splitlines()
        tap.ok(p.returncode == 0, desc,
               (lines[-1] if lines else "") + p.stderr[-300:])
        if p.returncode == 0 and run:
            r = json.loads(lines[-1])
            # Arm NN is a speed peer, not an oracle: informational only.
            print("# Arm NN CpuRef vs TFLite reference on %s: max |diff| "
                  "%s LSB" % (name, r.get("max_abs_diff_vs_tflite")))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", default=os.path.join(TOP, "build", "oracle"),
                    help="work directory (default build/oracle)")
    ap.add_argument("--shared", default=os.path.join(TOP, "..", "shared"),
                    help="the shared directory (default $(top)/../shared)")
    ap.add_argument("--mode", default="ref",
                    choices=("ref", "optimized", "xnnpack"))
    ap.add_argument("--emit", action="store_true",
                    help="write BUILD/models/<name>/expected<i>.bin")
    ap.add_argument("--models", help="models directory (default "
                    "BUILD/models)")
    ap.add_argument("--no-mobilenet", action="store_true")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--strict-readme", action="store_true",
                    help="count person_detect's exact README values as "
                    "failures, not TODO")
    args = ap.parse_args(argv)

    oracle = os.path.join(TOP, "scripts", "tflite-oracle")
    setup = os.path.join(TOP, "scripts", "tflite-oracle-setup")
    gen = os.path.join(TOP, "tests", "models", "gen_models.py")
    models_dir = args.models or os.path.join(args.build, "models")
    tap = Tap()

    p = subprocess.run([setup], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    if p.returncode != 0:
        print("Bail out! tflite-oracle-setup failed:")
        for line in p.stdout.splitlines()[-20:]:
            print("# " + line)
        return 1

    # A fresh model directory: no stale model or expected output survives.
    shutil.rmtree(models_dir, ignore_errors=True)
    cmd = [sys.executable, gen, "--out", models_dir, "--seed",
           str(args.seed)]
    if args.no_mobilenet:
        cmd.append("--no-mobilenet")
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True)
    if not tap.ok(p.returncode == 0, "gen_models.py generates the models",
                  p.stderr):
        return tap.finish()
    with open(os.path.join(models_dir, "manifest.json")) as f:
        manifest = json.load(f)["models"]

    os.makedirs(args.build, exist_ok=True)
    work = tempfile.mkdtemp(prefix="oracle-test.", dir=args.build)
    try:
        jobs = []
        for e in manifest:
            d = os.path.join(models_dir, e["name"])
            ins = [os.path.join(d, "input%d.bin" % i)
                   for i in range(len(e["inputs"]))]
            jobs.append(("gen:" + e["name"], os.path.join(d, "model.tflite"),
                         os.path.join(work, "gen", e["name"]), ins))

        # The oracle's error paths.
        first = manifest[0]
        fd = os.path.join(models_dir, first["name"])
        with open(os.path.join(fd, "model.tflite"), "rb") as f:
            blob = f.read()
        trunc = os.path.join(work, "truncated.tflite")
        with open(trunc, "wb") as f:
            f.write(blob[:len(blob) // 2])
        jobs.append(("err:truncated", trunc, os.path.join(work, "err1"),
                     [os.path.join(fd, "input%d.bin" % i)
                      for i in range(len(first["inputs"]))]))
        short = os.path.join(work, "short.bin")
        with open(os.path.join(fd, "input0.bin"), "rb") as f:
            with open(short, "wb") as g:
                g.write(f.read()[:-1])
        jobs.append(("err:short-input", os.path.join(fd, "model.tflite"),
                     os.path.join(work, "err2"),
                     [short] + [os.path.join(fd, "input%d.bin" % i)
                                for i in range(1, len(first["inputs"]))]))

        shared_models = os.path.join(args.shared, "models")
        have_shared = os.path.isfile(os.path.join(shared_models,
                                                  "person_detect.tflite"))
        pd_fixed = None
        fix_out = None
        if have_shared:
            pd_orig = os.path.join(shared_models, "person_detect.tflite")
            pd_fixed = os.path.join(work, "person_detect.fixed.tflite")
            shutil.copyfile(pd_orig, pd_fixed)
            fix_out = subprocess.run(
                [sys.executable, os.path.join(HERE, "fix_person_detect.py"),
                 "--expect", "14", pd_fixed], stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT, text=True)
            for img, conv, _ in PERSON_DETECT_FACTS:
                data = convert(bmp_gray_topdown(
                    os.path.join(shared_models, img)), conv)
                inp = os.path.join(work, "%s.%s.bin" % (img, conv))
                with open(inp, "wb") as f:
                    f.write(data)
                jobs.append(("pd:%s:%s" % (img, conv), pd_fixed,
                             os.path.join(work, "pd", img + "." + conv),
                             [inp]))
            # A second copy whose subgraph output is SOFTMAX's input (the
            # logits), to compare with pyref's independent arithmetic.
            pd_logits = os.path.join(work, "person_detect.logits.tflite")
            logits_tensor = make_logits_copy(pd_fixed, pd_logits)
            for img, conv in PYREF_PD_CASES:
                jobs.append(("pdlogits:%s:%s" % (img, conv), pd_logits,
                             os.path.join(work, "pdl", img + "." + conv),
                             [os.path.join(work, "%s.%s.bin" % (img, conv))]))
            blank = os.path.join(work, "pd.blank.bin")
            with open(blank, "wb") as f:
                f.write(bytes(96 * 96))
            jobs.append(("pd:orig", pd_orig, os.path.join(work, "pd", "orig"),
                         [blank]))
            for name in ("hello_world_int8", "keyword_scrambled_8bit"):
                path = os.path.join(shared_models, name + ".tflite")
                info = tflite_fb.load(path)
                ins = []
                for k, ti in enumerate(info.inputs):
                    inp = os.path.join(work, "%s.input%d.bin" % (name, k))
                    with open(inp, "wb") as f:
                        f.write(bytes((37 * j + 11) & 0xFF
                                      for j in range(info.tensors[ti].nbytes)))
                    ins.append(inp)
                jobs.append(("shared:" + name, path,
                             os.path.join(work, "shared", name), ins))

        results, proc = run_batch(oracle, args.mode, jobs, work)
        if proc.returncode not in (0, 1) or not results:
            print("Bail out! the oracle did not run (status %d)"
                  % proc.returncode)
            for line in proc.stderr.splitlines()[-20:]:
                print("# " + line)
            return 1

        # Generated models.
        for e, (jid, _, outdir, ins) in zip(manifest, jobs):
            r = results.get(jid)
            name = e["name"]
            if r is None:
                tap.ok(False, name, "no result from the oracle")
                continue
            if e["expect"] == "reject":
                tap.ok(r["status"] == 1,
                       "%s is refused by TFLite, as expected" % name,
                       "status %s: %s" % (r["status"], r.get("error", "")))
                continue
            problems = []
            if r["status"] != 0:
                problems.append("status %d: %s" % (r["status"],
                                                   r.get("error", "")))
            else:
                outs = r["outputs"]
                if len(outs) != len(e["outputs"]):
                    problems.append("%d outputs, manifest says %d"
                                    % (len(outs), len(e["outputs"])))
                for k, (got, want) in enumerate(zip(outs, e["outputs"])):
                    if got["shape"] != want["shape"] or \
                            got["type"] != want["type"]:
                        problems.append(
                            "output %d is %s %s, manifest says %s %s"
                            % (k, got["shape"], got["type"], want["shape"],
                               want["type"]))
                    path = os.path.join(outdir, "output%d.bin" % k)
                    size = os.path.getsize(path) if os.path.exists(path) \
                        else -1
                    if size != got["bytes"]:
                        problems.append("output%d.bin has %d bytes, "
                                        "want %d" % (k, size, got["bytes"]))
            tap.ok(not problems, "%s runs in TFLite (%s)" % (name,
                                                            args.mode),
                   "\n".join(problems))
            if problems:
                continue
            inputs = []
            for path in ins:
                with open(path, "rb") as f:
                    inputs.append(f.read())
            want = independent(e, inputs)
            if want is not None:
                with open(os.path.join(outdir, "output0.bin"), "rb") as f:
                    got = f.read()
                first_diff = next((i for i in range(min(len(got), len(want)))
                                   if got[i] != want[i]), None)
                tap.ok(got == want,
                       "%s equals an independent computation" % name,
                       "%d vs %d bytes, first difference at byte %s"
                       % (len(got), len(want), first_diff))
            if pyref_applies(e):
                with open(os.path.join(outdir, "output0.bin"), "rb") as f:
                    got = to_signed(f.read(), "int8")
                try:
                    vals, _ = pyref.Runner(os.path.join(
                        models_dir, name, "model.tflite")).run(inputs)
                    want = vals[pyref_output(e, models_dir)]
                    diag = first_difference(got, want)
                except Exception as ex:  # a pyref bug must show, not crash
                    want, diag = None, "pyref: %r" % ex
                tap.ok(got == want, "%s equals pyref (independent int8 "
                       "arithmetic)" % name, diag)
            if args.emit:
                d = os.path.join(models_dir, name)
                with open(os.path.join(d, "oracle.json"), "w") as f:
                    json.dump(r, f, indent=1, sort_keys=True)
                    f.write("\n")
                for k in range(len(e["outputs"])):
                    shutil.copyfile(os.path.join(outdir, "output%d.bin" % k),
                                    os.path.join(d, "expected%d.bin" % k))

        armnn_checks(tap, manifest, models_dir, work)

        r = results.get("err:truncated", {})
        tap.ok(r.get("status") == 2, "oracle: a truncated model is bad "
               "input (status 2)", json.dumps(r))
        r = results.get("err:short-input", {})
        tap.ok(r.get("status") == 2 and "needs exactly" in r.get("error", ""),
               "oracle: an input one byte short is bad input (status 2)",
               json.dumps(r))

        # Shared real models.
        if not have_shared:
            reason = "%s absent" % shared_models
            tap.skip("fix_person_detect patches 14 bias fields", reason)
            tap.skip("person_detect as shipped is refused by TFLite 2.14",
                     reason)
            for img, conv, want in PERSON_DETECT_FACTS:
                tap.skip("person_detect %s (%s): README facts" % (img, conv),
                         reason)
            for img, conv in PYREF_PD_CASES:
                tap.skip("person_detect %s (%s) logits equal pyref"
                         % (img, conv), reason)
            tap.skip("hello_world_int8 runs", reason)
            tap.skip("keyword_scrambled_8bit is refused cleanly", reason)
            return tap.finish()

        tap.ok(fix_out.returncode == 0,
               "fix_person_detect patches 14 depthwise bias fields",
               fix_out.stdout)
        r = results.get("pd:orig", {})
        tap.ok(r.get("status") == 1 and
               "quantized_dimension" in r.get("error", ""),
               "person_detect as shipped is refused by TFLite 2.14 "
               "(quantized_dimension 3 on 1-D bias)", json.dumps(r)[:500])
        for img, conv, want in PERSON_DETECT_FACTS:
            r = results.get("pd:%s:%s" % (img, conv), {})
            got = None
            if r.get("status") == 0:
                with open(os.path.join(work, "pd", img + "." + conv,
                                       "output0.bin"), "rb") as f:
                    got = to_signed(f.read(), "int8")
            # The README's classification: index 1 = person.
            wins = (want[1] > want[0]) if want[0] != want[1] else None
            tap.ok(got is not None and (got[1] > got[0]) == wins,
                   "person_detect %s (%s): %s, as the README says"
                   % (img, conv, "person" if wins else "no person"),
                   "got %s; %s" % (got, r.get("error", "")))
            tap.ok(got == want, "person_detect %s (%s) gives exactly %s"
                   % (img, conv, want), "TFLite %s reference kernels give "
                   "%s" % (r.get("tflite", "?"), got),
                   todo=None if args.strict_readme else
                   "README values disagree with these reference kernels "
                   "(see pyref check)")
        for img, conv in PYREF_PD_CASES:
            r = results.get("pdlogits:%s:%s" % (img, conv), {})
            got, want, diag = None, None, r.get("error", "")
            if r.get("status") == 0:
                with open(os.path.join(work, "pdl", img + "." + conv,
                                       "output0.bin"), "rb") as f:
                    got = to_signed(f.read(), "int8")
                with open(os.path.join(work, "%s.%s.bin" % (img, conv)),
                          "rb") as f:
                    vals, _ = pyref.Runner(pd_fixed).run(
                        [f.read()], stop_at_unsupported=True)
                want = vals.get(logits_tensor)
                diag = "TFLite %s, pyref %s" % (got, want)
            tap.ok(got is not None and got == want,
                   "person_detect %s (%s) logits equal pyref (independent "
                   "int8 arithmetic)" % (img, conv), diag)
        r = results.get("shared:hello_world_int8", {})
        ok = r.get("status") == 0 and r.get("outputs") and all(
            os.path.exists(os.path.join(work, "shared", "hello_world_int8",
                                        o["file"])) for o in r["outputs"])
        tap.ok(bool(ok), "hello_world_int8 runs",
               r.get("error", json.dumps(r)[:300]))
        # TFLite 2.14 runs SVDF with an int16 state; this TFLite Micro
        # model's int8 state would be overrun, so the oracle must refuse
        # it with a message rather than crash or answer garbage.
        r = results.get("shared:keyword_scrambled_8bit", {})
        tap.ok(r.get("status") == 1 and "SVDF" in r.get("error", ""),
               "keyword_scrambled_8bit is refused cleanly (TFLite 2.14's "
               "integer SVDF needs an int16 state)", json.dumps(r)[:300])
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return tap.finish()


if __name__ == "__main__":
    sys.exit(main())
