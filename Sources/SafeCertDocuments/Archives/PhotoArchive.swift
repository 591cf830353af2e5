import Foundation

/// Batch photos sent as ZIP archives (seed 002: `证件号码.jpg` files, or a ZIP of them): the JPEG
/// entries taken out under `ZIPLimits.photos`, one budget for every archive of the upload.
public enum PhotoArchive {
    public struct Photo: Sendable, Equatable {
        /// The entry's path inside the archive ("照片/220102198503120318.jpg").
        public let path: String
        public let data: Data
    }

    public struct Contents: Sendable, Equatable {
        public var photos: [Photo] = []
        /// JPEG entries that inflate past the per-photo limit: named, not read any further.
        public var oversized: [String] = []
    }

    /// Why an upload's archives were refused as a whole; `message` names the archive.
    public struct Refusal: Error, Sendable, Equatable {
        public let archive: String
        public let reason: ZIPError

        public init(archive: String, reason: ZIPError) {
            self.archive = archive
            self.reason = reason
        }

        /// Too many entries or too many bytes: the upload is too large (HTTP 413), not malformed.
        public var isTooLarge: Bool {
            switch reason {
            case .tooManyEntries, .tooLargeInTotal, .entryTooLarge: true
            case .notZIP, .damaged, .unsupported: false
            }
        }

        public var message: String { "压缩包「\(archive)」：\(reason.message)" }
    }

    /// Whether an upload is a ZIP, by its name or its first bytes.
    public static func isZIP(name: String, data: Data) -> Bool {
        name.lowercased().hasSuffix(".zip") || data.starts(with: [0x50, 0x4B, 0x03, 0x04])
    }

    /// Whether an entry is a photo to read: a .jpg/.jpeg file, not a Mac resource twin.
    static func isPhotoEntry(_ path: String) -> Bool {
        let lower = path.lowercased()
        let base = lower.split(separator: "/").last.map(String.init) ?? lower
        return (lower.hasSuffix(".jpg") || lower.hasSuffix(".jpeg")) && !lower.contains("__macosx") && !base.hasPrefix("._")
    }

    /// The photos of every archive. An entry larger than a photo may be is named in `oversized`
    /// (and costs no more than the limit); too many entries or bytes in all refuse the upload.
    public static func extract(_ archives: [(name: String, data: Data)], limits: ZIPLimits = .photos) throws(Refusal) -> Contents {
        var contents = Contents()
        var inflated = 0
        var entries = 0
        for (name, data) in archives {
            var remaining = limits
            remaining.maximumEntries = max(0, limits.maximumEntries - entries)
            var reader: BoundedZIPReader
            do {
                reader = try BoundedZIPReader(data: data, limits: remaining, alreadyInflated: inflated)
            } catch {
                throw Refusal(archive: name, reason: error == .tooManyEntries(maximum: remaining.maximumEntries)
                              ? .tooManyEntries(maximum: limits.maximumEntries) : error)
            }
            entries += reader.entries.count
            for entry in reader.entries where entry.isFile && isPhotoEntry(entry.path) {
                do {
                    contents.photos.append(Photo(path: entry.path, data: try reader.data(of: entry)))
                } catch {
                    if case .entryTooLarge = error {
                        contents.oversized.append(entry.path)
                    } else {
                        throw Refusal(archive: name, reason: error)
                    }
                }
            }
            inflated = reader.inflatedBytes
        }
        return contents
    }
}
