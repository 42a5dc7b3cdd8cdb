# vspace conformance battery and unit tests (owned by the vspace module)
check_PROGRAMS += check_vspace
TESTS += check_vspace
