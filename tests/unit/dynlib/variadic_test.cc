// The variadic functions dynlib forwards (curl_easy_setopt, curl_easy_getinfo, curl_share_setopt,
// sqlite3_db_config, archive_set_error): each argument type reaches the real library intact, and
// an option dynlib cannot read ends the process rather than being read wrong.
#include <archive.h>
#include <curl/curl.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <string>

namespace {

size_t collect(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

// File transfers of "0123456789": string, long, function pointer, data pointer and curl_off_t
// options, and a pointer read back by curl_easy_getinfo.
TEST(DynlibCurl, SetoptAndGetinfoPassEveryArgumentType) {
  std::string path = testing::TempDir() + "dynlib-curl-XXXXXX";
  int fd = ::mkstemp(path.data());
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::write(fd, "0123456789", 10), 10);
  ::close(fd);
  ASSERT_EQ(curl_global_init(CURL_GLOBAL_DEFAULT), CURLE_OK);
  CURL* curl = curl_easy_init();
  ASSERT_NE(curl, nullptr);
  std::string url = "file://" + path;
  std::string body;
  EXPECT_EQ(curl_easy_setopt(curl, CURLOPT_URL, url.c_str()), CURLE_OK);
  EXPECT_EQ(curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "file"), CURLE_OK);
  EXPECT_EQ(curl_easy_setopt(curl, CURLOPT_RESUME_FROM, 4L), CURLE_OK);
  EXPECT_EQ(curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &collect), CURLE_OK);
  EXPECT_EQ(curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body), CURLE_OK);
  EXPECT_EQ(curl_easy_setopt(curl, CURLOPT_PRIVATE, &url), CURLE_OK);
  EXPECT_EQ(curl_easy_perform(curl), CURLE_OK);
  EXPECT_EQ(body, "456789");
  void* data = nullptr;
  EXPECT_EQ(curl_easy_getinfo(curl, CURLINFO_PRIVATE, &data), CURLE_OK);
  EXPECT_EQ(data, &url);
  // The same offset as a curl_off_t.
  body.clear();
  EXPECT_EQ(curl_easy_setopt(curl, CURLOPT_RESUME_FROM_LARGE, curl_off_t{7}), CURLE_OK);
  EXPECT_EQ(curl_easy_perform(curl), CURLE_OK);
  EXPECT_EQ(body, "789");
  curl_easy_cleanup(curl);
  ::unlink(path.c_str());
}

TEST(DynlibCurl, ShareSetoptPassesEveryOption) {
  CURLSH* share = curl_share_init();
  ASSERT_NE(share, nullptr);
  EXPECT_EQ(curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS), CURLSHE_OK);
  EXPECT_EQ(curl_share_setopt(share, CURLSHOPT_UNSHARE, CURL_LOCK_DATA_DNS), CURLSHE_OK);
  // libcurl's own check of the int it reads: lock data it does not know is refused.
  EXPECT_EQ(curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_LAST), CURLSHE_BAD_OPTION);
  EXPECT_EQ(curl_share_setopt(share, CURLSHOPT_USERDATA, nullptr), CURLSHE_OK);
  EXPECT_EQ(curl_share_setopt(
                share, CURLSHOPT_LOCKFUNC, +[](CURL*, curl_lock_data, curl_lock_access, void*) {}),
            CURLSHE_OK);
  EXPECT_EQ(curl_share_setopt(
                share, CURLSHOPT_UNLOCKFUNC, +[](CURL*, curl_lock_data, void*) {}),
            CURLSHE_OK);
  EXPECT_EQ(curl_share_cleanup(share), CURLSHE_OK);
}

TEST(DynlibCurlDeathTest, AShareOptionDynlibCannotReadEndsTheProcess) {
  EXPECT_EXIT(curl_share_setopt(nullptr, CURLSHOPT_LAST, 0), testing::ExitedWithCode(2),
              "^pith: error: curl_share_setopt: option 6 is not forwarded by dynlib/curl\\.cc\n$");
}

TEST(DynlibSqlite, DbConfigPassesTheValueAndReadsTheStateBack) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(":memory:", &db), SQLITE_OK);
  int state = -1;
  EXPECT_EQ(sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, &state), SQLITE_OK);
  EXPECT_EQ(state, 1);
  EXPECT_EQ(sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, &state), SQLITE_OK);
  EXPECT_EQ(state, 0);
  EXPECT_EQ(sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, -1, &state), SQLITE_OK);
  EXPECT_EQ(state, 1);
  EXPECT_EQ(sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 1, nullptr), SQLITE_OK);
  EXPECT_EQ(sqlite3_close(db), SQLITE_OK);
}

TEST(DynlibSqliteDeathTest, AnOpDynlibCannotReadEndsTheProcess) {
  EXPECT_EXIT(sqlite3_db_config(nullptr, SQLITE_DBCONFIG_MAINDBNAME, "main"),
              testing::ExitedWithCode(2),
              "^pith: error: sqlite3_db_config: op 1000 is not forwarded by "
              "dynlib/sqlite\\.cc\n$");
}

TEST(DynlibArchive, SetErrorFormatsTheMessage) {
  archive* a = archive_read_new();
  ASSERT_NE(a, nullptr);
  archive_set_error(a, EIO, "%s: %d%%", "layer", 42);
  EXPECT_STREQ(archive_error_string(a), "layer: 42%");
  archive_set_error(a, EIO, "%s", std::string(3000, 'x').c_str());
  EXPECT_EQ(std::string(archive_error_string(a)), std::string(3000, 'x'));
  archive_set_error(a, 0, nullptr);
  EXPECT_EQ(archive_error_string(a), nullptr);
  EXPECT_EQ(archive_read_free(a), ARCHIVE_OK);
}

}  // namespace
