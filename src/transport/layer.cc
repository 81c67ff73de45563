// Opening layers: compression is recognised from the bytes, not trusted from the media type.
#include "transport/layer.h"

#include "compress/compression.h"
#include "util/prefetch_source.h"

namespace pith::transport {

Result<std::unique_ptr<ByteSource>> open_layer(ImageSource& src, const oci::Descriptor& layer,
                                               const oci::Digest& diff_id) {
  auto blob = TRY(src.blob(layer));
  auto peeked = TRY(compress::peek(std::move(blob)).wrap("layer " + layer.digest.str()));
  // An uncompressed blob whose digest is the diff_id is already verified by the blob stream:
  // hashing the same bytes twice would double the cost of reading the layer.
  if (peeked.compression == compress::Compression::none && layer.digest == diff_id)
    return std::unique_ptr<ByteSource>(std::make_unique<PrefetchSource>(std::move(peeked.stream)));
  // Otherwise up to three stages on their own threads, so that no stage carries much more than
  // a third of the work: reading and hashing the stored bytes | inflating them | hashing the
  // inflated bytes (the diff_id) and parsing the tar, in the consumer. Inflating is the
  // heaviest stage, so it is the one left alone.
  std::unique_ptr<ByteSource> plain = std::make_unique<PrefetchSource>(std::move(peeked.stream));
  if (peeked.compression != compress::Compression::none)
    plain = std::make_unique<PrefetchSource>(
        compress::decompress(std::move(plain), peeked.compression));
  return oci::verifying(std::move(plain), diff_id, std::nullopt,
                        "layer " + layer.digest.short_str() + " (diff_id " + diff_id.str() + ")");
}

}  // namespace pith::transport
