#!/usr/bin/env python3
"""Validate accel-run bench --json output against its documented format
(Documentation/edgenpu/bench-json.rst). Prints TAP; exit 1 on a mismatch.

usage: bench_json_check.py FILE [--device-times]
"""
import json
import sys

NUM = (int, float)
STATS = ('min', 'mean', 'std', 'p50', 'p90', 'p99', 'max')
TOP = {'schema': str, 'config': dict, 'parallel': int, 'threads': int,
       'all_runs': int, 'pipeline': int, 'device_busy_s': NUM,
       'wall_per_device_busy': NUM,
       'all_throughput_per_s': NUM, 'runs': int, 'init_ms': NUM,
       'first_run_ms': NUM, 'total_s': NUM, 'throughput_per_s': NUM,
       'host_ms': dict, 'device_ms': dict, 'ops': list}
CONFIG = {'model': str, 'device': str, 'iterations': int,
          'duration_s': NUM, 'warmup': int, 'library': str}


def problems(d, device_times):
    for key, typ in TOP.items():
        if not isinstance(d.get(key), typ) or isinstance(d.get(key), bool):
            yield f'{key}: missing or not {typ}'
    if d.get('schema') != 'edgenpu-bench/1':
        yield 'schema is not edgenpu-bench/1'
    for key, typ in CONFIG.items():
        if not isinstance(d.get('config', {}).get(key), typ):
            yield f'config.{key}: missing or not {typ}'
    for name in ('host_ms', 'device_ms'):
        s = d.get(name, {})
        for k in STATS:
            if not isinstance(s.get(k), NUM) or s.get(k) < 0:
                yield f'{name}.{k}: missing or negative'
        if all(isinstance(s.get(k), NUM) for k in STATS):
            if not s['min'] <= s['p50'] <= s['p90'] <= s['p99'] <= s['max']:
                yield f'{name}: percentiles out of order'
            if not s['min'] <= s['mean'] <= s['max']:
                yield f'{name}: mean outside [min, max]'
    if isinstance(d.get('runs'), int) and d['runs'] < 1:
        yield 'runs < 1'
    for i, op in enumerate(d.get('ops', [])):
        if op.get('index') != i or not isinstance(op.get('name'), str) \
                or not isinstance(op.get('mean_ms'), NUM):
            yield f'ops[{i}] malformed'
    if device_times and not d.get('device_ms', {}).get('max', 0) > 0:
        yield 'no device time although the run was on an NPU'
    if device_times and not d.get('device_busy_s', 0) > 0:
        yield 'no device busy time although the run was on an NPU'
    # Both are printed rounded (total_s to 1e-6 s, device_busy_s to 1e-9 s).
    busy, total = d.get('device_busy_s'), d.get('total_s')
    if isinstance(busy, NUM) and isinstance(total, NUM) and busy > 0 and total > 0:
        ratio = total / busy
        slack = ratio * (1e-6 / total + 1e-9 / busy) + 1e-5
        if abs(d.get('wall_per_device_busy', 0) - ratio) > slack:
            yield 'wall_per_device_busy is not total_s / device_busy_s'


def main():
    if len(sys.argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    try:
        with open(sys.argv[1], encoding='utf-8') as f:
            d = json.load(f)
    except (OSError, ValueError) as e:
        print(f'not ok 1 - {sys.argv[1]} is JSON: {e}\n1..1')
        return 1
    found = list(problems(d, '--device-times' in sys.argv))
    print(f'ok 1 - {sys.argv[1]} is JSON')
    if found:
        print(f'not ok 2 - matches edgenpu-bench/1')
        for p in found:
            print(f'# {p}')
    else:
        print(f'ok 2 - matches edgenpu-bench/1 ({d["runs"]} runs, '
              f'{len(d["ops"])} ops)')
    print('1..2')
    return 1 if found else 0


if __name__ == '__main__':
    sys.exit(main())
