// TransferProgress: what a terminal ends up showing (finished blobs' lines stay, live lines go),
// sizes as skopeo prints them, lines cut to the width, and counts right under many threads.
#include "util/transfer_progress.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>
#include <vector>

namespace pith {
namespace {

// Captures what the progress writes.
struct Captured {
  Captured() : file(std::tmpfile()) {}
  ~Captured() { std::fclose(file); }
  std::string text() {
    std::fflush(file);
    std::rewind(file);
    std::string out;
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, file)) > 0) out.append(buf, n);
    return out;
  }
  std::FILE* file;
};

// The screen a terminal shows at the end: replays "\r", "ESC[nA" (up) and "ESC[J" (erase below).
std::vector<std::string> screen(const std::string& text) {
  std::vector<std::string> lines{""};
  size_t row = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\033') {
      size_t end = text.find_first_of("AJK", i);
      std::string arg = text.substr(i + 2, end - i - 2);
      if (text[end] == 'A') row -= static_cast<size_t>(std::stoi(arg));
      if (text[end] == 'J') {
        lines.resize(row + 1);
        lines[row].clear();
      }
      i = end;
    } else if (c == '\r') {
      lines[row].clear();
    } else if (c == '\n') {
      ++row;
      if (row == lines.size()) lines.emplace_back();
    } else {
      lines[row] += c;
    }
  }
  if (lines.back().empty()) lines.pop_back();
  return lines;
}

TEST(TransferProgress, HumanBytes) {
  EXPECT_EQ(human_bytes(0), "0 B");
  EXPECT_EQ(human_bytes(1023), "1023 B");
  EXPECT_EQ(human_bytes(1024), "1.0 KiB");
  EXPECT_EQ(human_bytes(1536), "1.5 KiB");
  EXPECT_EQ(human_bytes(3u << 20), "3.0 MiB");
  EXPECT_EQ(human_bytes(5ull << 30), "5.0 GiB");
}

TEST(TransferProgress, FinishedLinesStayLiveLinesGo) {
  Captured out;
  {
    TransferProgress p(out.file, 80);
    auto* config = p.add("config", "0123456789ab", 1500);
    auto* layer = p.add("blob", "ba9876543210", 3u << 20);
    auto* present = p.add("blob", "cccccccccccc", 4096);
    p.start(layer);
    // Redraws come at most every 100 ms: this one is due.
    std::this_thread::sleep_for(std::chrono::milliseconds(120));
    p.advance(layer, 1u << 20);
    auto live = screen(out.text());
    ASSERT_EQ(live.size(), 2u);
    EXPECT_TRUE(
        live[0].starts_with("Copying blob   ba9876543210  [====>       ]  1.0 MiB / 3.0 MiB"))
        << live[0];
    EXPECT_TRUE(live[1].starts_with("Total  0/3 blobs  1.0 MiB / 3.0 MiB")) << live[1];
    p.start(config);
    p.advance(config, 1500);
    p.finish(config, TransferProgress::Outcome::done);
    p.finish(present, TransferProgress::Outcome::skipped);
    p.advance(layer, 2u << 20);
    p.finish(layer, TransferProgress::Outcome::done);
  }
  std::vector<std::string> want{"Copying config 0123456789ab  done  1.5 KiB",
                                "Copying blob   cccccccccccc  skipped: already exists",
                                "Copying blob   ba9876543210  done  3.0 MiB"};
  EXPECT_EQ(screen(out.text()), want);
}

TEST(TransferProgress, FailedBlobLeavesNoLine) {
  Captured out;
  {
    TransferProgress p(out.file, 80);
    auto* a = p.add("blob", "aaaaaaaaaaaa", 10);
    p.start(a);
    p.advance(a, 5);
    p.finish(a, TransferProgress::Outcome::failed);
  }
  EXPECT_TRUE(screen(out.text()).empty()) << out.text();
}

TEST(TransferProgress, LinesAreCutToTheWidth) {
  Captured out;
  TransferProgress p(out.file, 30);
  auto* a = p.add("blob", "aaaaaaaaaaaa", 1u << 30);
  p.start(a);
  for (const auto& line : screen(out.text())) EXPECT_LE(line.size(), 29u) << line;
}

TEST(TransferProgress, DisabledWritesNothing) {
  TransferProgress p(nullptr, 80);
  EXPECT_EQ(p.add("blob", "aaaaaaaaaaaa", 10), nullptr);
  p.start(nullptr);
  p.advance(nullptr, 10);
  p.finish(nullptr, TransferProgress::Outcome::done);
}

TEST(TransferProgress, ManyThreadsCountEveryByte) {
  Captured out;
  {
    TransferProgress p(out.file, 100);
    std::vector<TransferProgress::Item*> items;
    for (int i = 0; i < 4; ++i) items.push_back(p.add("blob", std::string(12, 'a' + i), 400000));
    {
      std::vector<std::jthread> threads;
      for (auto* item : items)
        threads.emplace_back([&p, item] {
          p.start(item);
          for (int k = 0; k < 1000; ++k) p.advance(item, 400);
        });
    }
    // A blob starting forces a redraw: the total line has every byte.
    auto* last = p.add("config", "eeeeeeeeeeee", 0);
    p.start(last);
    auto live = screen(out.text());
    ASSERT_EQ(live.size(), 6u);
    EXPECT_TRUE(live[5].starts_with("Total  0/5 blobs  1.5 MiB / 1.5 MiB")) << live[5];
    for (auto* item : items) p.finish(item, TransferProgress::Outcome::done);
    p.finish(last, TransferProgress::Outcome::done);
  }
  auto lines = screen(out.text());
  ASSERT_EQ(lines.size(), 5u);
  for (size_t i = 0; i < 4; ++i) EXPECT_TRUE(lines[i].ends_with("done  390.6 KiB")) << lines[i];
}

}  // namespace
}  // namespace pith
