# Documentation examples, extracted at configure time, compiled as written
# with -Wall -Wextra -Werror and run: a document's code blocks fenced with a
# given info string become the body of main() in a template, one scope per
# block, their #include lines hoisted to the top.
#
#   readme_examples    README.md's ```cpp blocks (readme_main.cpp.in), run in an
#                      empty folder: with no model.safetensors there every step
#                      must fail cleanly instead of aborting (a failed Result
#                      dereferenced in a chain yields an error)
#   docs_round_trip    the ```cpp compiled blocks of docs/reader.md and
#                      docs/writer.md (docs_main.cpp.in), run beside a small BF16
#                      model.safetensors: load, convert, slice, modify, save must
#                      all succeed
function(stguard_doc_examples test_name template fence)
  set(includes "")
  set(body "")
  foreach(document IN LISTS ARGN)
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${document})
    file(READ ${document} text)
    # ';' separates CMake list items: hide it while the blocks are lists.
    string(REPLACE ";" "@SEMICOLON@" text "${text}")
    string(REGEX MATCHALL "```${fence}\n[^`]*```" blocks "${text}")
    if(NOT blocks)
      message(FATAL_ERROR "${document} has no ```${fence} block for the ${test_name} test")
    endif()
    foreach(block IN LISTS blocks)
      string(REGEX REPLACE "^```${fence}\n" "" block "${block}")
      string(REGEX REPLACE "```$" "" block "${block}")
      string(REGEX MATCHALL "#include[^\n]*" block_includes "${block}")
      string(REGEX REPLACE "#include[^\n]*\n" "" block "${block}")
      foreach(line IN LISTS block_includes)
        string(APPEND includes "${line}\n")
      endforeach()
      string(APPEND body "{\n${block}}\n")
    endforeach()
  endforeach()
  string(REPLACE "@SEMICOLON@" ";" DOC_BODY "${body}")
  string(REPLACE "@SEMICOLON@" ";" DOC_INCLUDES "${includes}")
  configure_file(${CMAKE_CURRENT_SOURCE_DIR}/readme/${template} ${CMAKE_CURRENT_BINARY_DIR}/${test_name}.cpp @ONLY)
  add_executable(${test_name} ${CMAKE_CURRENT_BINARY_DIR}/${test_name}.cpp)
  target_compile_options(${test_name} PRIVATE -Wall -Wextra -Werror)
  target_link_libraries(${test_name} PRIVATE stguard::stguard)
  if(TARGET stguard_audit)
    target_link_libraries(${test_name} PRIVATE stguard::audit)
  endif()
  set(run_dir ${CMAKE_CURRENT_BINARY_DIR}/${test_name}-run)
  file(MAKE_DIRECTORY ${run_dir})
  add_test(NAME ${test_name} COMMAND ${test_name})
  set_tests_properties(${test_name} PROPERTIES WORKING_DIRECTORY ${run_dir})
endfunction()

stguard_doc_examples(readme_examples readme_main.cpp.in cpp ${PROJECT_SOURCE_DIR}/README.md)
stguard_doc_examples(docs_round_trip docs_main.cpp.in "cpp compiled"
  ${PROJECT_SOURCE_DIR}/docs/reader.md ${PROJECT_SOURCE_DIR}/docs/writer.md)
