# docs and examples add themselves here
