// The names a model's inputs go by (pt2run::input_aliases / find_input) and the reader of the
// exported program's input names (a package's models/<name>.json: hostile bytes).

#include <gtest/gtest.h>

#include "package/exported_signature.h"
#include "pt2run/error.h"
#include "pt2run/inspect.h"

namespace pt2run {
namespace {

TensorInfo input(std::string name, std::string graph_name, std::string parameter_name = "") {
  TensorInfo t;
  t.name = std::move(name);
  t.graph_name = std::move(graph_name);
  t.parameter_name = std::move(parameter_name);
  return t;
}

ModelInfo model() {
  ModelInfo info;
  info.inputs = {input("args[0]", "arg2_1", "input_ids"), input("args[1]['bias']", "arg3_1", "extra_bias"),
                 input("args[2]['bias']", "arg4_1"), input("args[3]['scale']", "arg5_1")};
  return info;
}

TEST(InputNames, AliasesListEveryNameOnce) {
  const ModelInfo info = model();
  EXPECT_EQ(input_aliases(info, 0), (std::vector<std::string>{"args[0]", "input_ids", "arg2_1", "arr_0"}));
  // "bias" ends two paths, so it names neither; "scale" names the one it ends.
  EXPECT_EQ(input_aliases(info, 1), (std::vector<std::string>{"args[1]['bias']", "extra_bias", "arg3_1", "arr_1"}));
  EXPECT_EQ(input_aliases(info, 3), (std::vector<std::string>{"args[3]['scale']", "arg5_1", "scale", "arr_3"}));
  EXPECT_THROW(input_aliases(info, 4), Error);
}

TEST(InputNames, FindInputTakesEveryAlias) {
  const ModelInfo info = model();
  for (std::size_t i = 0; i < info.inputs.size(); ++i)
    for (const std::string& alias : input_aliases(info, i)) EXPECT_EQ(find_input(info, alias), i) << alias;
  for (const char* none : {"", "bias", "arr_4", "arr_01", "arr_", "arr_-1", "x", "arg9_1", "arr_99999999999999999999"})
    EXPECT_FALSE(find_input(info, none).has_value()) << none;
}

TEST(InputNames, AnInputNamedLikeAPositionIsThatInput) {
  ModelInfo info;
  info.inputs = {input("args[0]", "arg0_1", "arr_1"), input("args[1]", "arg1_1")};
  EXPECT_EQ(find_input(info, "arr_1"), 0u);
  EXPECT_EQ(find_input(info, "arr_0"), 0u);
}

TEST(ExportedSignature, ReadsTheTensorUserInputsInOrder) {
  const std::string program = R"({"graph_module": {"signature": {"input_specs": [
      {"parameter": {"arg": {"name": "p_w"}, "parameter_name": "w"}},
      {"user_input": {"arg": {"as_tensor": {"name": "input_ids"}}}},
      {"user_input": {"arg": {"as_int": 3}}},
      {"buffer": {"arg": {"name": "b_running_mean"}}},
      {"user_input": {"arg": {"as_tensor": {"name": "extra_bias"}}}}]}}})";
  EXPECT_EQ(detail::user_input_names(program, "m.json"), (std::vector<std::string>{"input_ids", "extra_bias"}));
}

TEST(ExportedSignature, RefusesWhatIsNotAnExportedProgram) {
  const std::string name_of_control_bytes =
      std::string(R"({"graph_module": {"signature": {"input_specs": [{"user_input": {"arg": {"as_tensor": {"name": "a)") +
      '\x1b' + R"("}}}}]}}})";
  for (const std::string& bad :
       {std::string("not json"), std::string("[]"), std::string(R"({"graph_module": 1})"),
        std::string(R"({"graph_module": {"signature": {}}})"),
        std::string(R"({"graph_module": {"signature": {"input_specs": {}}}})"),
        std::string(R"({"graph_module": {"signature": {"input_specs": [{"user_input": {}}]}}})"),
        std::string(R"({"graph_module": {"signature": {"input_specs": [{"user_input": {"arg": {"as_tensor": {"name": 7}}}}]}}})"),
        std::string(R"({"graph_module": {"signature": {"input_specs": [{"user_input": {"arg": {"as_tensor": {"name": ""}}}}]}}})"),
        std::string(R"({"graph_module": {"signature": {"input_specs": [{"user_input": {"arg": {"as_tensor": {"name": ")") +
            std::string(300, 'x') + R"("}}}}]}}})",
        name_of_control_bytes}) {
    try {
      detail::user_input_names(bad, "'m.json'");
      ADD_FAILURE() << "accepted: " << bad.substr(0, 120);
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::InvalidPackage);
      EXPECT_NE(std::string(e.what()).find("'m.json'"), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace pt2run
