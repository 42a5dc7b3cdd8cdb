# sharpness (Lanczos, power iteration) and natural-gradient tests (owned by lib/spectral)
check_PROGRAMS += check_spectral
TESTS += check_spectral
