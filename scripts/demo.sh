#!/usr/bin/env bash
# README command 1: install what is missing, build, run the demo: the tour of the C++ engine
# (its last section, devices, says "CUDA: <device name>" or "CUDA: unavailable: <reason>"),
# then the C demo (examples/c/train.c), which trains MiniTorch's classifier on xor through the
# C API, prints its progress (10 to 20 lines; on a terminal also a live line) and writes the
# decision boundary and the loss and accuracy curves to build/dev/decision_boundary.svg and
# build/dev/training_curves.svg; then the same training from Python, Java and C#
# (examples/<language>/), whose final losses equal the C demo's. Arguments go to all four
# (--svg and --curves to the C demo only):
#   scripts/demo.sh --dataset spiral --points 100 --hidden 100 --epochs 2000 --lr 0.1
# (build/dev/examples/c/mt_train_c --help lists the options). --device cuda trains on the GPU;
# MINITENSOR_CUDA_PLUGIN=build/dev/cuda/libminitensor_cuda_emu.so emulates one, slowly.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake --preset dev >/dev/null
cmake --build --preset dev --target mt_tour mt_train_c mt_python minitensor_java_example \
  minitensor_csharp_Train_exe
# The tour links the engine statically, so the CUDA plugin is not next to it: name the build's.
plugin=build/dev/capi/libminitensor_cuda.so
if [[ -f $plugin ]]; then
  MINITENSOR_CUDA_PLUGIN=$plugin build/dev/examples/mt_tour
else
  build/dev/examples/mt_tour
fi
echo
build/dev/examples/c/mt_train_c --svg build/dev/decision_boundary.svg \
  --curves build/dev/training_curves.svg "$@"

bindings=build/dev/bindings
shared=()  # the arguments without the C demo's plot paths: --svg/--curves PATH or =PATH
while (($#)); do
  case $1 in
    --svg | --curves) shift 2 || set -- ;;
    --svg=* | --curves=*) shift ;;
    *) shared+=("$1") && shift ;;
  esac
done
echo
echo "=== the same from Python (examples/python/train.py), only the summary"
PYTHONPATH=$bindings/python/dist /usr/bin/python3 -B examples/python/train.py --quiet "${shared[@]}"
echo "=== from Java (examples/java)"
java -cp "$bindings/java/minitensor.jar:$bindings/java/train.jar" \
  org.minitensor.examples.Train --quiet "${shared[@]}"
echo "=== from C# (examples/csharp)"
mono $bindings/csharp/Train.exe --quiet "${shared[@]}"
