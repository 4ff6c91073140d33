"""Run every benchmark in bench/ (modules named *_bench.py with a main()) and list the result files."""

from __future__ import annotations

import importlib
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    failures = 0
    for path in sorted(HERE.glob("*_bench.py")):
        name = f"bench.{path.stem}"
        print(f"== {name}", flush=True)
        start = time.perf_counter()
        try:
            module = importlib.import_module(name)
            result = module.main([]) if _takes_argv(module) else module.main()
        except SystemExit as exc:  # argparse-based benches exit
            result = exc.code
        except Exception as exc:  # keep going: one broken bench must not hide the others' numbers
            print(f"!! {name} failed: {exc!r}", flush=True)
            failures += 1
            continue
        print(f"== {name} finished in {time.perf_counter() - start:.1f} s (result {result})", flush=True)
    print("results:", ", ".join(sorted(p.name for p in (HERE / "results").glob("*.json"))))
    return 1 if failures else 0


def _takes_argv(module) -> bool:
    import inspect

    return bool(inspect.signature(module.main).parameters)


if __name__ == "__main__":
    sys.exit(main())
