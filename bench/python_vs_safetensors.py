"""stguard's Python package beside the real `safetensors` package, in one
run (issue 18's performance targets; numbers in docs/PERFORMANCE.md):

  1. stguard.validate on a 1,000-tensor file vs safetensors.safe_open + keys()
  2. load_file of a GPT-2-sized file (124M F32 parameters, generated):
     stguard.numpy.load_file vs safetensors.numpy.load_file (both copy),
     and zero-copy: stguard.safe_open get_tensor of every tensor (mapped
     views) vs safetensors.safe_open get_tensor of every tensor.

    build/py-venv/bin/python bench/python_vs_safetensors.py [--repeat 7] [--work DIR]

Files are generated in --work (default a temporary folder) and read warm
(from the page cache): this measures the libraries, not the disk.
Reports the median and the minimum of --repeat runs, each case alternated
with its counterpart so that a neighbour's burst hits both.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Callable, Dict, List

import numpy as np

import safetensors
import safetensors.numpy
import stguard
import stguard.numpy


def gpt2_tensors() -> Dict[str, np.ndarray]:
    """GPT-2 small's names and shapes (124,439,808 parameters), F32 values."""
    rng = np.random.default_rng(2)
    shapes = {"wte.weight": (50257, 768), "wpe.weight": (1024, 768), "ln_f.weight": (768,), "ln_f.bias": (768,)}
    for layer in range(12):
        prefix = f"h.{layer}."
        shapes.update({
            prefix + "ln_1.weight": (768,), prefix + "ln_1.bias": (768,),
            prefix + "attn.c_attn.weight": (768, 2304), prefix + "attn.c_attn.bias": (2304,),
            prefix + "attn.c_proj.weight": (768, 768), prefix + "attn.c_proj.bias": (768,),
            prefix + "ln_2.weight": (768,), prefix + "ln_2.bias": (768,),
            prefix + "mlp.c_fc.weight": (768, 3072), prefix + "mlp.c_fc.bias": (3072,),
            prefix + "mlp.c_proj.weight": (3072, 768), prefix + "mlp.c_proj.bias": (768,),
        })
    return {name: rng.standard_normal(shape, dtype=np.float32) for name, shape in shapes.items()}


def many_tensors(count: int) -> Dict[str, np.ndarray]:
    return {f"model.layers.{index}.weight": np.full((4, 4), index, dtype=np.float32) for index in range(count)}


def timed(function: Callable[[], object], inner: int) -> float:
    started = time.perf_counter()
    for _ in range(inner):
        function()
    return (time.perf_counter() - started) / inner


def compare(cases: Dict[str, Callable[[], object]], repeat: int, inner: int) -> Dict[str, Dict[str, float]]:
    samples: Dict[str, List[float]] = {name: [] for name in cases}
    for function in cases.values():  # warm up: page cache, imports, first mappings
        function()
    for _ in range(repeat):
        for name, function in cases.items():
            samples[name].append(timed(function, inner))
    return {name: {"median_s": statistics.median(values), "min_s": min(values)} for name, values in samples.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--work", type=Path)
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="stguard-pybench-"))
    work.mkdir(parents=True, exist_ok=True)

    headers = work / "tensors-1000.safetensors"
    if not headers.exists():
        safetensors.numpy.save_file(many_tensors(1000), str(headers))
    gpt2 = work / "gpt2-124m-f32.safetensors"
    if not gpt2.exists():
        safetensors.numpy.save_file(gpt2_tensors(), str(gpt2))

    def reference_keys() -> object:
        with safetensors.safe_open(str(headers), framework="numpy") as opened:
            return opened.keys()

    def stguard_validate() -> object:
        result = stguard.validate(headers)
        assert result.valid
        return result

    def stguard_keys() -> object:
        with stguard.safe_open(headers) as opened:
            return opened.keys()

    results = {"safetensors": safetensors.__version__, "stguard": stguard.__version__,
               "numpy": np.__version__, "files": {"headers": os.path.getsize(headers), "gpt2": os.path.getsize(gpt2)}}
    results["validate_1000"] = compare({"safetensors.safe_open+keys": reference_keys,
                                        "stguard.validate": stguard_validate,
                                        "stguard.safe_open+keys": stguard_keys}, args.repeat, inner=200)

    def reference_zero_copy() -> object:
        with safetensors.safe_open(str(gpt2), framework="numpy") as opened:
            return [opened.get_tensor(name) for name in opened.keys()]

    def stguard_zero_copy() -> object:
        with stguard.safe_open(gpt2) as opened:
            return [opened.get_tensor(name) for name in opened.keys()]

    results["load_gpt2"] = compare({"safetensors.numpy.load_file": lambda: safetensors.numpy.load_file(str(gpt2)),
                                    "stguard.numpy.load_file": lambda: stguard.numpy.load_file(gpt2),
                                    "safetensors.safe_open get_tensor (all)": reference_zero_copy,
                                    "stguard.safe_open get_tensor (all, zero-copy)": stguard_zero_copy},
                                   args.repeat, inner=1)
    for family in ("validate_1000", "load_gpt2"):
        print(f"\n{family}")
        for name, stats in results[family].items():
            print(f"  {name:48s} median {stats['median_s'] * 1e3:10.3f} ms   min {stats['min_s'] * 1e3:10.3f} ms")
    validate = results["validate_1000"]
    load = results["load_gpt2"]
    print("\nratios (median, stguard / safetensors; below 1 is faster):")
    print(f"  validate vs safe_open+keys: {validate['stguard.validate']['median_s'] / validate['safetensors.safe_open+keys']['median_s']:.3f}")
    print(f"  load_file (copy):           {load['stguard.numpy.load_file']['median_s'] / load['safetensors.numpy.load_file']['median_s']:.3f}")
    print(f"  zero-copy vs load_file:     {load['stguard.safe_open get_tensor (all, zero-copy)']['median_s'] / load['safetensors.numpy.load_file']['median_s']:.5f}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
