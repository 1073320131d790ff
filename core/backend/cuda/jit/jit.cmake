# The CUDA plugin's run-time kernel compiler (backend/cuda/jit), included by the plugin's
# CMakeLists: mt_cuda_jit_add(TARGET EXT) gives a plugin (or a test) the compiler.
# - mt_cuda_jit_host: its host-only parts (NVRTC by dlopen, the disk cache, the emulation's host
#   compiler, the embedded headers), plain C++ for both plugins;
# - the units (kernel_cache.cuh and one toolchain) as wrappers of extension EXT: cu for nvcc's
#   plugin (CUBIN), cpp for the emulated one (host compiler).
set(mt_cuda_jit_dir ${CMAKE_CURRENT_LIST_DIR})

# The headers a generated kernel may include, relative to core/: the op tables and all they
# include, and the fused kernels' device helpers. mt_cuda_jit_tests checks that the list is
# closed under #include "...".
set(mt_cuda_jit_headers
  base/host_device.hpp op_tables/math.hpp op_tables/op_list.hpp op_tables/vmath.hpp
  op_tables/unary_ops.hpp op_tables/binary_ops.hpp op_tables/reduce_ops.hpp
  backend/cuda/kernels/thread_group.hpp backend/cuda/kernels/thread_groups.cuh
  backend/cuda/codegen/fused_device.cuh)
set(mt_cuda_jit_inc ${CMAKE_CURRENT_BINARY_DIR}/jit/embedded_headers.inc)
list(TRANSFORM mt_cuda_jit_headers PREPEND ${PROJECT_SOURCE_DIR}/core/ OUTPUT_VARIABLE
     mt_cuda_jit_header_paths)
# A list cannot pass through COMMAND (its ; splits arguments): commas instead.
string(REPLACE ";" "," mt_cuda_jit_header_names "${mt_cuda_jit_headers}")
add_custom_command(OUTPUT ${mt_cuda_jit_inc}
  COMMAND ${CMAKE_COMMAND} -DCORE_DIR=${PROJECT_SOURCE_DIR}/core
          -DHEADERS=${mt_cuda_jit_header_names} -DOUTPUT=${mt_cuda_jit_inc}
          -P ${mt_cuda_jit_dir}/embed_headers.cmake
  DEPENDS ${mt_cuda_jit_header_paths} ${mt_cuda_jit_dir}/embed_headers.cmake
  COMMENT "Embedding the headers of generated CUDA kernels"
  VERBATIM)

add_library(mt_cuda_jit_host STATIC EXCLUDE_FROM_ALL
  ${mt_cuda_jit_dir}/embedded_headers.cpp ${mt_cuda_jit_dir}/nvrtc.cpp
  ${mt_cuda_jit_dir}/disk_cache.cpp ${mt_cuda_jit_dir}/host_compiler.cpp ${mt_cuda_jit_inc})
target_include_directories(mt_cuda_jit_host PRIVATE ${PROJECT_SOURCE_DIR}/core
                           ${CMAKE_CURRENT_BINARY_DIR}/jit)
# The emulation builds kernels with the compiler that built it, against the source tree.
set_source_files_properties(${mt_cuda_jit_dir}/host_compiler.cpp PROPERTIES COMPILE_DEFINITIONS
  "MT_JIT_HOST_COMPILER=\"${CMAKE_CXX_COMPILER}\";MT_JIT_CORE_DIR=\"${PROJECT_SOURCE_DIR}/core\"")
target_link_libraries(mt_cuda_jit_host PRIVATE mt_warnings PUBLIC ${CMAKE_DL_LIBS})
# Linked into plugins: position-independent, every symbol hidden.
set_target_properties(mt_cuda_jit_host PROPERTIES
  POSITION_INDEPENDENT_CODE ON
  CXX_VISIBILITY_PRESET hidden
  VISIBILITY_INLINES_HIDDEN ON)

function(mt_cuda_jit_add target ext)
  if(ext STREQUAL "cu")
    set(mt_cuda_units jit/kernel_cache.cuh jit/cubin_toolchain.cuh)
  else()
    set(mt_cuda_units jit/kernel_cache.cuh jit/emulated_toolchain.cuh)
  endif()
  mt_cuda_wrappers(sources ${ext})
  target_sources(${target} PRIVATE ${sources})
  target_link_libraries(${target} PRIVATE mt_cuda_jit_host)
endfunction()
