# The CI job end to end (tests/ci/repository_acceptance.py): st-validate and
# st-audit on a repository tree, every output format parsed. Offline: SARIF
# gets the structural check here; scripts/test.sh runs the same script with
# the SARIF 2.1.0 schema (tests/ci/check_ci.sh) and the pre-commit hooks test.
find_program(STGUARD_PYTHON3 python3)
if(STGUARD_PYTHON3 AND TARGET st-validate AND TARGET st-audit)
  add_test(NAME ci_repository_acceptance
           COMMAND ${STGUARD_PYTHON3} ${CMAKE_CURRENT_LIST_DIR}/repository_acceptance.py
                   --bin $<TARGET_FILE_DIR:st-validate>)
  set_tests_properties(ci_repository_acceptance PROPERTIES ENVIRONMENT "STGUARD_TEST_TMP=${CMAKE_BINARY_DIR}/test-tmp")
elseif(STGUARD_BUILD_TOOLS)
  message(WARNING "python3 not found: the CI acceptance test (ci_repository_acceptance) is not run")
endif()
