# benchmarks add themselves here
