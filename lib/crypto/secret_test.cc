#include "lib/crypto/secret.h"

#include <ostream>
#include <string>
#include <type_traits>
#include <utility>

#include "gtest/gtest.h"

namespace candor::crypto {
namespace {

// SecretBytes must not be printable (it would end up in logs).
template <typename T, typename = void>
struct IsStreamable : std::false_type {};
template <typename T>
struct IsStreamable<T, std::void_t<decltype(std::declval<std::ostream&>()
                                            << std::declval<const T&>())>>
    : std::true_type {};

static_assert(!IsStreamable<SecretBytes>::value, "SecretBytes is loggable");
static_assert(!std::is_copy_constructible_v<SecretBytes>);
static_assert(!std::is_copy_assignable_v<SecretBytes>);
static_assert(std::is_nothrow_move_constructible_v<SecretBytes>);
static_assert(!std::is_convertible_v<SecretBytes, absl::string_view>);
static_assert(!std::is_convertible_v<SecretBytes, std::string>);

TEST(SecretBytesTest, HoldsBinaryBytes) {
  std::string raw("k\0e\xffy", 5);
  SecretBytes s(raw);
  EXPECT_EQ(s.size(), 5u);
  EXPECT_FALSE(s.empty());
  EXPECT_EQ(s.view(), raw);
}

TEST(SecretBytesTest, SizedConstructorIsZeroFilled) {
  SecretBytes s(32);
  EXPECT_EQ(s.view(), std::string(32, '\0'));
  s.u8data()[0] = 0x42;
  EXPECT_EQ(s.data()[0], 0x42);
}

TEST(SecretBytesTest, MoveLeavesTheSourceEmpty) {
  SecretBytes a("secret");
  const char* buffer = a.data();
  SecretBytes b(std::move(a));
  EXPECT_EQ(b.view(), "secret");
  EXPECT_EQ(b.data(), buffer);  // the buffer moved, nothing was copied
  EXPECT_TRUE(a.empty());       // NOLINT(bugprone-use-after-move)

  SecretBytes c("other");
  c = std::move(b);
  EXPECT_EQ(c.view(), "secret");
  EXPECT_TRUE(b.empty());  // NOLINT(bugprone-use-after-move)
}

TEST(SecretBytesTest, CloneIsDeepAndExplicit) {
  SecretBytes a("secret");
  SecretBytes b = a.Clone();
  b.data()[0] = 'S';
  EXPECT_EQ(a.view(), "secret");
  EXPECT_EQ(b.view(), "Secret");
}

TEST(SecretBytesTest, ResizeAppendClear) {
  SecretBytes s("abc");
  s.append("def");
  EXPECT_EQ(s.view(), "abcdef");
  s.resize(2);
  EXPECT_EQ(s.view(), "ab");
  s.resize(4);
  EXPECT_EQ(s.view(), std::string("ab\0\0", 4));
  s.clear();
  EXPECT_TRUE(s.empty());
  EXPECT_EQ(s.view(), "");
}

TEST(ConstantTimeEqualsTest, Equal) {
  EXPECT_TRUE(ConstantTimeEquals("", ""));
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_TRUE(
      ConstantTimeEquals(std::string("a\0b", 3), std::string("a\0b", 3)));
}

TEST(ConstantTimeEqualsTest, DifferentContents) {
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "xbc"));
  EXPECT_FALSE(
      ConstantTimeEquals(std::string("a\0b", 3), std::string("a\0c", 3)));
}

TEST(ConstantTimeEqualsTest, DifferentLengthsAreNeverEqual) {
  EXPECT_FALSE(ConstantTimeEquals("abc", "abcd"));
  EXPECT_FALSE(ConstantTimeEquals("", "a"));
  // A prefix is not a match (no "compare the shorter length" bug).
  EXPECT_FALSE(ConstantTimeEquals("ab", "abc"));
}

TEST(ConstantTimeEqualsTest, WorksOnSecretBytes) {
  SecretBytes a("tag"), b("tag"), c("tah");
  EXPECT_TRUE(ConstantTimeEquals(a.view(), b.view()));
  EXPECT_FALSE(ConstantTimeEquals(a.view(), c.view()));
}

}  // namespace
}  // namespace candor::crypto
