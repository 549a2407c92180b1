# build_release.sh — sourced by the bench/*.sh scripts: `bench_build TARGET`
# configures a Release tree in $BUILD_DIR (default build-bench/), builds
# TARGET quietly (log in the build dir, its tail shown on failure) and sets
# $bench_build_dir. Benchmarks always measure optimised code.
bench_build() {
  local root build log
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  build=${BUILD_DIR:-$root/build-bench}
  mkdir -p "$build"
  log=$build/bench-build.log
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >"$log" 2>&1 || { cat "$log" >&2; exit 1; }
  cmake --build "$build" -j"${JOBS:-2}" --target "$1" >>"$log" 2>&1 || { tail -40 "$log" >&2; exit 1; }
  bench_build_dir=$build
}
