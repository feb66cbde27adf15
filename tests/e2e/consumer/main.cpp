// Built against an installed pt2run by install_consumer.sh: loads a package, runs it once.
#include <pt2run/pt2run.h>
#include <iostream>
int main(int argc, char** argv) {
  pt2run::AOTIModelPackageLoader loader(argv[1]);
  auto out = loader.run({pt2run::Tensor::zeros({3, 16}, pt2run::DType::Float32)});
  std::cout << out[0].describe() << "\n";
}
