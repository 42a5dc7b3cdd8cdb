# Unit tests of lib/nn: finite differences of every layer in double, oneDNN against the
# reference kernels, ResNet-18 against PyTorch (tests/nn_fixtures, made by
# make_nn_fixtures.py), the objective.
check_PROGRAMS += check_nn
TESTS += check_nn
EXTRA_DIST += nn_fixtures/resnet18_cifar.tsv make_nn_fixtures.py
