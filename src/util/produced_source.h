// A stream whose bytes a function writes, on its own thread: a writer (a tar writer, which
// pushes into a ByteSink) feeds a reader (a compressor, which pulls from a ByteSource) without
// a file between them, and both run at once.
#pragma once

#include <functional>
#include <memory>

#include "util/byte_source.h"

namespace pith {

using Producer = std::function<Result<void>(ByteSink&)>;

// Runs `producer` on a thread; what it writes is read from the returned source, with at most
// `depth` chunks of `chunk` bytes in between. The producer's failure is the reader's, after the
// bytes written before it. Destroying the source early makes the producer's next write fail (it
// then returns) and waits for it.
std::unique_ptr<ByteSource> produced_source(Producer producer, size_t chunk = 1 << 20,
                                            size_t depth = 4);

}  // namespace pith
