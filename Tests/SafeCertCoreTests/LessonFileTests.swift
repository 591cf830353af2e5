import Foundation
import Testing
@testable import SafeCertCore

private func probe(_ formats: String, duration: TimeInterval? = 3, _ streams: [(String, String)] = [("video", "h264")],
                   coverArt: Bool = false) -> MediaProbeReport {
    MediaProbeReport(formatNames: formats.split(separator: ",").map(String.init), duration: duration,
                     streams: streams.map { .init(type: $0.0, codec: $0.1, isAttachedPicture: coverArt && $0.0 == "video") })
}

@Suite("课件文件")
struct LessonFileTests {
    @Test func theNameSaysWhatIsMeant() throws {
        #expect(try LessonFileRule.intent(fileName: "第一课.MP4") == .media)
        #expect(try LessonFileRule.intent(fileName: "lesson.webm") == .media)
        #expect(try LessonFileRule.intent(fileName: "录音.mp3") == .media)
        #expect(try LessonFileRule.intent(fileName: "讲义.pdf") == .document)
        for bad in ["notes.txt", "mp4", "", "video.", "archive.mp4.zip"] {
            #expect(throws: LessonFileError.unsupportedName(fileName: bad)) { try LessonFileRule.intent(fileName: bad) }
        }
        #expect(LessonFileError.unsupportedName(fileName: "notes.txt").message
            == "课件文件「notes.txt」不是支持的视频（.mp4/.webm/.ogv）、音频（.mp3/.m4a）或 PDF 文档")
    }

    @Test func realVideoAndAudioAreAcceptedAsWhatTheyAre() throws {
        let mp4 = try LessonFileRule.media(fileName: "a.mp4", probe: probe("mov,mp4,m4a,3gp,3g2,mj2", duration: 62.08, [("video", "h264"), ("audio", "aac")]))
        #expect(mp4 == CheckedLessonFile(kind: .video, mediaType: "video/mp4", container: "mp4", duration: 62.08))
        let webm = try LessonFileRule.media(fileName: "a.mp4", probe: probe("matroska,webm", [("video", "vp8")]))
        #expect(webm.mediaType == "video/webm" && webm.container == "webm", "served as what it is, whatever its name")
        let ogg = try LessonFileRule.media(fileName: "a.ogv", probe: probe("ogg", [("video", "theora"), ("audio", "vorbis")]))
        #expect(ogg.mediaType == "video/ogg")
        let mp3 = try LessonFileRule.media(fileName: "a.mp3", probe: probe("mp3", duration: 2.04, [("audio", "mp3")]))
        #expect(mp3 == CheckedLessonFile(kind: .audio, mediaType: "audio/mpeg", container: "mp3", duration: 2.04))
        let m4a = try LessonFileRule.media(fileName: "a.m4a", probe: probe("mov,mp4,m4a,3gp,3g2,mj2", [("audio", "aac"), ("video", "mjpeg")],
                                                                         coverArt: true))
        #expect(m4a.kind == .audio && m4a.mediaType == "audio/mp4", "cover art is no video")
    }

    @Test func whatIsNotPlayableMediaIsRefusedWithTheFieldNamed() {
        let cases: [(MediaProbeReport?, LessonFileError)] = [
            (nil, .notMedia(fileName: "x.mp4")),
            (probe("jpeg_pipe", duration: nil, [("video", "mjpeg")]), .unsupportedContainer(fileName: "x.mp4", format: "jpeg_pipe")),
            (probe("tty", duration: 0.2, [("video", "ansi")]), .unsupportedContainer(fileName: "x.mp4", format: "tty")),
            (probe("avi", [("video", "mpeg4")]), .unsupportedContainer(fileName: "x.mp4", format: "avi")),
            (probe("mov,mp4,m4a,3gp,3g2,mj2", [("video", "hevc")]), .unsupportedCodec(fileName: "x.mp4", codec: "hevc")),
            (probe("mov,mp4,m4a,3gp,3g2,mj2", [("video", "h264"), ("audio", "pcm_s16le")]), .unsupportedCodec(fileName: "x.mp4", codec: "pcm_s16le")),
            (probe("mov,mp4,m4a,3gp,3g2,mj2", [("data", "bin_data")]), .noPlayableStream(fileName: "x.mp4")),
            (probe("mov,mp4,m4a,3gp,3g2,mj2", duration: nil), .noDuration(fileName: "x.mp4")),
            (probe("mov,mp4,m4a,3gp,3g2,mj2", duration: .infinity), .noDuration(fileName: "x.mp4")),
            (probe("mov,mp4,m4a,3gp,3g2,mj2", duration: 0.4), .tooShort(fileName: "x.mp4")),
            (probe("mov,mp4,m4a,3gp,3g2,mj2", duration: 13 * 3600), .tooLong(fileName: "x.mp4", seconds: 13 * 3600)),
        ]
        for (report, error) in cases {
            #expect(throws: error) { try LessonFileRule.media(fileName: "x.mp4", probe: report) }
            #expect(error.message.hasPrefix("课件文件「x.mp4」"), "\(error)")
        }
        #expect(LessonFileError.notMedia(fileName: "x.mp4").message
            == "课件文件「x.mp4」不是有效的视频或音频，无法读取其内容（请上传真实的 MP4、WebM、Ogg 或 MP3 文件）")
        #expect(LessonFileError.tooLong(fileName: "x.mp4", seconds: 13 * 3600).message == "课件文件「x.mp4」时长 13 小时 00 分 00 秒，超过 12 小时")
    }

    @Test func aDocumentMustBeAPDF() throws {
        let pdf = try LessonFileRule.document(fileName: "讲义.pdf", data: Data("%PDF-1.4\n…".utf8))
        #expect(pdf == CheckedLessonFile(kind: .document, mediaType: "application/pdf", container: "pdf", duration: nil))
        #expect(throws: LessonFileError.notPDF(fileName: "讲义.pdf")) {
            try LessonFileRule.document(fileName: "讲义.pdf", data: Data("hello".utf8))
        }
    }
}
