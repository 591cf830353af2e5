import Foundation

/// What a media prober (ffprobe) read from an uploaded file: its container and streams.
public struct MediaProbeReport: Sendable, Hashable, Codable {
    public struct Stream: Sendable, Hashable, Codable {
        /// "video", "audio", "subtitle", "data", "attachment".
        public var type: String
        /// "h264", "vp9", "aac", "mjpeg", …
        public var codec: String
        /// Cover art inside an audio file: a picture, not a video.
        public var isAttachedPicture: Bool

        public init(type: String, codec: String, isAttachedPicture: Bool = false) {
            self.type = type
            self.codec = codec
            self.isAttachedPicture = isAttachedPicture
        }
    }

    /// The demuxer's names for the container: ["mov", "mp4", "m4a", …], ["matroska", "webm"].
    public var formatNames: [String]
    /// Seconds, when the container knows it.
    public var duration: TimeInterval?
    public var streams: [Stream]

    public init(formatNames: [String], duration: TimeInterval?, streams: [Stream]) {
        self.formatNames = formatNames
        self.duration = duration
        self.streams = streams
    }
}

/// A lesson file the platform accepts, with what the lesson stores about it.
public struct CheckedLessonFile: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, Codable {
        case video, audio, document
    }

    public var kind: Kind
    /// The Content-Type the file is served with, from what it really is, not from its name.
    public var mediaType: String
    /// "mp4", "webm", "ogg", "mp3" or "pdf".
    public var container: String
    /// The media's real length; nil for a document (its reading time is set by the institution).
    public var duration: TimeInterval?

    public init(kind: Kind, mediaType: String, container: String, duration: TimeInterval?) {
        self.kind = kind
        self.mediaType = mediaType
        self.container = container
        self.duration = duration
    }
}

/// Why an uploaded lesson file is refused; `message` names the field and the file.
public enum LessonFileError: Error, Hashable, Sendable {
    case unsupportedName(fileName: String)
    /// The prober could not read it as media at all: a text or other file renamed .mp4.
    case notMedia(fileName: String)
    case notPDF(fileName: String)
    case unsupportedContainer(fileName: String, format: String)
    case unsupportedCodec(fileName: String, codec: String)
    case noPlayableStream(fileName: String)
    case noDuration(fileName: String)
    case tooShort(fileName: String)
    case tooLong(fileName: String, seconds: TimeInterval)

    public var message: String {
        switch self {
        case .unsupportedName(let name):
            "课件文件「\(name)」不是支持的视频（.mp4/.webm/.ogv）、音频（.mp3/.m4a）或 PDF 文档"
        case .notMedia(let name):
            "课件文件「\(name)」不是有效的视频或音频，无法读取其内容（请上传真实的 MP4、WebM、Ogg 或 MP3 文件）"
        case .notPDF(let name):
            "课件文件「\(name)」不是有效的 PDF 文档"
        case .unsupportedContainer(let name, let format):
            "课件文件「\(name)」的格式为 \(format)，浏览器无法播放（请转为 MP4、WebM、Ogg 或 MP3）"
        case .unsupportedCodec(let name, let codec):
            "课件文件「\(name)」使用 \(codec) 编码，浏览器无法播放（视频请用 H.264、VP8、VP9 或 AV1，音频请用 AAC、MP3、Opus 或 Vorbis）"
        case .noPlayableStream(let name):
            "课件文件「\(name)」中没有可播放的视频或音频"
        case .noDuration(let name):
            "课件文件「\(name)」无法读取播放时长"
        case .tooShort(let name):
            "课件文件「\(name)」时长不足 1 秒"
        case .tooLong(let name, let seconds):
            "课件文件「\(name)」时长 \(StudyTime.mediaLength(seconds: seconds))，超过 \(LessonFileRule.maximumHours) 小时"
        }
    }
}

/// Which lesson files the platform takes (在线课程, seed 003: video lessons with verified hours).
/// The name says what the institution means to upload; the content decides: media must be what a
/// browser plays, with a real length, because that length is the most study the lesson credits.
public enum LessonFileRule {
    public static let maximumHours = 12
    static let minimumSeconds: TimeInterval = 1

    public enum Intent: Sendable, Hashable {
        case media
        case document
    }

    static let mediaExtensions: Set<String> = ["mp4", "m4v", "webm", "ogv", "ogg", "mp3", "m4a", "oga"]
    static let videoCodecs: Set<String> = ["h264", "vp8", "vp9", "av1", "theora"]
    static let audioCodecs: Set<String> = ["aac", "mp3", "opus", "vorbis", "flac"]

    /// What the file's name says it is, or why no lesson can be made of it.
    public static func intent(fileName: String) throws(LessonFileError) -> Intent {
        let parts = fileName.split(separator: ".")
        let ext = parts.count > 1 ? (parts.last.map { String($0).lowercased() } ?? "") : ""
        if mediaExtensions.contains(ext) { return .media }
        if ext == "pdf" { return .document }
        throw .unsupportedName(fileName: fileName)
    }

    /// A PDF lesson: the bytes must start as a PDF does.
    public static func document(fileName: String, data: Data) throws(LessonFileError) -> CheckedLessonFile {
        guard data.starts(with: Array("%PDF-".utf8)) else { throw .notPDF(fileName: fileName) }
        return CheckedLessonFile(kind: .document, mediaType: "application/pdf", container: "pdf", duration: nil)
    }

    /// A media lesson from what the prober read (nil: it could not read the file at all).
    public static func media(fileName: String, probe: MediaProbeReport?) throws(LessonFileError) -> CheckedLessonFile {
        guard let probe else { throw .notMedia(fileName: fileName) }
        let names = Set(probe.formatNames)
        let container: String
        if names.contains("mp4") || names.contains("mov") {
            container = "mp4"
        } else if names.contains("webm") {
            container = "webm"
        } else if names.contains("ogg") {
            container = "ogg"
        } else if names.contains("mp3") {
            container = "mp3"
        } else {
            throw .unsupportedContainer(fileName: fileName, format: probe.formatNames.joined(separator: ","))
        }

        let pictures = probe.streams.filter { $0.type == "video" && !$0.isAttachedPicture }
        let sounds = probe.streams.filter { $0.type == "audio" }
        if let unplayable = (pictures.map(\.codec).filter { !videoCodecs.contains($0) }
            + sounds.map(\.codec).filter { !audioCodecs.contains($0) }).first {
            throw .unsupportedCodec(fileName: fileName, codec: unplayable)
        }
        let kind: CheckedLessonFile.Kind
        if !pictures.isEmpty {
            kind = .video
        } else if !sounds.isEmpty {
            kind = .audio
        } else {
            throw .noPlayableStream(fileName: fileName)
        }

        guard let duration = probe.duration, duration.isFinite, duration > 0 else { throw .noDuration(fileName: fileName) }
        guard duration >= minimumSeconds else { throw .tooShort(fileName: fileName) }
        guard duration <= TimeInterval(maximumHours * 3600) else { throw .tooLong(fileName: fileName, seconds: duration) }

        let mediaType: String
        switch (container, kind) {
        case ("mp4", .video): mediaType = "video/mp4"
        case ("mp4", _): mediaType = "audio/mp4"
        case ("webm", .video): mediaType = "video/webm"
        case ("webm", _): mediaType = "audio/webm"
        case ("ogg", .video): mediaType = "video/ogg"
        case ("ogg", _): mediaType = "audio/ogg"
        default: mediaType = "audio/mpeg"
        }
        return CheckedLessonFile(kind: kind, mediaType: mediaType, container: container, duration: duration)
    }
}
