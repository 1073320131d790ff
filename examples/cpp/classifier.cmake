# mt_classifier: the classifier training loop (classifier.hpp) of the C++ demo, which the core
# tests (test_training.cpp, the CUDA device tests) and mt_bench's training cases share. It is
# demo plumbing, not part of the engine, so it lives here; examples/, tests/ and bench/ each
# include this file, since any of them may be built without the others (the sanitizer presets
# build the tests with MT_BUILD_EXAMPLES=OFF), and the first to do so defines the target.
include_guard(GLOBAL)
add_library(mt_classifier STATIC ${CMAKE_CURRENT_LIST_DIR}/classifier.cpp)
target_include_directories(mt_classifier PUBLIC ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(mt_classifier PUBLIC minitensor_core PRIVATE mt_warnings)
