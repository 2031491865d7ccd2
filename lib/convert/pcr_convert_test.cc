#include "lib/convert/pcr_convert.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace candor::convert {
namespace {

using ::testing::HasSubstr;

TEST(PcrConvertTest, SelectionRoundTripSortsAndDedupes) {
  google::protobuf::RepeatedPtrField<v1::PcrSelection> in;
  auto* s = in.Add();
  s->set_bank(v1::HASH_ALGORITHM_SHA256);
  for (uint32_t p : {10u, 0u, 7u, 10u}) s->add_pcrs(p);
  auto sel = SelectionFromProto(in);
  ASSERT_TRUE(sel.ok());
  ASSERT_EQ(sel->size(), 1u);
  EXPECT_EQ((*sel)[0].bank, TPM2_ALG_SHA256);
  EXPECT_EQ((*sel)[0].pcrs, (std::vector<uint32_t>{0, 7, 10}));
  auto back = SelectionToProto(*sel);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ((*back)[0].pcrs_size(), 3);
}

TEST(PcrConvertTest, BadSelections) {
  google::protobuf::RepeatedPtrField<v1::PcrSelection> in;
  in.Add()->set_bank(v1::HASH_ALGORITHM_UNSPECIFIED);
  auto r = SelectionFromProto(in);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(r.status().message()),
              HasSubstr("pcr_selections[0].bank"));
  in.Clear();
  in.Add()->set_bank(v1::HASH_ALGORITHM_SHA1);
  in.Add()->set_bank(v1::HASH_ALGORITHM_SHA1);
  EXPECT_THAT(std::string(SelectionFromProto(in).status().message()),
              HasSubstr("twice"));
  in.Clear();
  auto* s = in.Add();
  s->set_bank(v1::HASH_ALGORITHM_SHA1);
  s->add_pcrs(24);
  EXPECT_THAT(std::string(SelectionFromProto(in).status().message()),
              HasSubstr("pcrs[0]: PCR 24"));
}

TEST(PcrConvertTest, ValuesRoundTripAndSizesChecked) {
  tpm::PcrValues v;
  v[TPM2_ALG_SHA1][10] = std::string(20, '\x01');
  v[TPM2_ALG_SHA256][0] = std::string(32, '\x02');
  auto proto = ValuesToProto(v);
  ASSERT_TRUE(proto.ok());
  auto back = ValuesFromProto(*proto);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, v);
  (*proto->mutable_banks(0)->mutable_digests())[3] = "short";
  auto bad = ValuesFromProto(*proto);
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(bad.status().message()), HasSubstr("PCR 3: 5 bytes"));
}

}  // namespace
}  // namespace candor::convert
