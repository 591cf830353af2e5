import Foundation
import SafeCertCore
import Testing
@testable import SafeCertDocuments

/// Makes a real little video or audio file with ffmpeg (Debian package ffmpeg, installed by
/// `scripts/install-deps.sh`), so the probe is tested on what an institution really uploads.
enum MediaSample {
    static func make(_ name: String, _ arguments: [String]) throws -> Data {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("safecert-media-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = folder.appendingPathComponent(name)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/ffmpeg")
        process.arguments = ["-v", "error", "-y"] + arguments + [output.path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw CocoaError(.fileWriteUnknown) }
        return try Data(contentsOf: output)
    }

    /// A `seconds`-long 160×120 test picture at 10 frames a second, VP8 in WebM.
    static func webm(seconds: Int = 3) throws -> Data {
        try make("clip.webm", ["-f", "lavfi", "-i", "testsrc=duration=\(seconds):size=160x120:rate=10", "-c:v", "libvpx", "-b:v", "100k"])
    }

    static func mp4(seconds: Int = 3) throws -> Data {
        try make("clip.mp4", ["-f", "lavfi", "-i", "testsrc=duration=\(seconds):size=160x120:rate=10", "-pix_fmt", "yuv420p", "-c:v", "libx264"])
    }

    static func mp3(seconds: Int = 2) throws -> Data {
        try make("tone.mp3", ["-f", "lavfi", "-i", "sine=duration=\(seconds)"])
    }
}

@Suite("ffprobe")
struct FFprobeTests {
    let ffprobe = FFprobe()

    @Test func aRealVideoIsReadForItsContainerStreamsAndLength() throws {
        let webm = try #require(try ffprobe.probe(try MediaSample.webm(seconds: 3), fileExtension: "webm"))
        #expect(webm.formatNames == ["matroska", "webm"])
        #expect(webm.streams == [MediaProbeReport.Stream(type: "video", codec: "vp8")])
        let duration = try #require(webm.duration)
        #expect(abs(duration - 3) < 0.05)
        #expect(try LessonFileRule.media(fileName: "第一课.webm", probe: webm).mediaType == "video/webm")

        let mp4 = try #require(try ffprobe.probe(try MediaSample.mp4(seconds: 2), fileExtension: "mp4"))
        #expect(mp4.formatNames.contains("mp4") && mp4.streams.map(\.codec) == ["h264"])
        let mp3 = try #require(try ffprobe.probe(try MediaSample.mp3(), fileExtension: "mp3"))
        #expect(try LessonFileRule.media(fileName: "tone.mp3", probe: mp3).kind == .audio)
    }

    @Test func aTextFileRenamedMp4IsNotMedia() throws {
        #expect(try ffprobe.probe(Data("这不是视频，只是改了扩展名的文本文件。\n".utf8), fileExtension: "mp4") == nil)
        #expect(try ffprobe.probe(Data(), fileExtension: "mp4") == nil)
        // A truncated video (its index cut off) is not media either.
        let video = try MediaSample.mp4(seconds: 2)
        #expect(try ffprobe.probe(video.prefix(video.count / 3), fileExtension: "mp4") == nil)
    }

    @Test func aPictureIsReadButIsNoLesson() throws {
        let jpeg = try MediaSample.make("frame.jpg", ["-f", "lavfi", "-i", "testsrc=size=32x32", "-frames:v", "1"])
        let report = try #require(try ffprobe.probe(jpeg, fileExtension: "mp4"))
        #expect(throws: LessonFileError.self) { try LessonFileRule.media(fileName: "frame.mp4", probe: report) }
    }

    @Test func aHangingProbeIsStoppedAtTheTimeout() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("safecert-fake-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let script = folder.appendingPathComponent("ffprobe")
        try "#!/bin/sh\nexec sleep 30\n".write(to: script, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script.path)
        let started = Date()
        #expect(throws: FFprobe.Failure.timedOut) {
            try FFprobe(executable: script.path, timeout: 1).probe(Data("x".utf8), fileExtension: "mp4")
        }
        #expect(Date().timeIntervalSince(started) < 10)
    }

    @Test func aMissingProbeSaysSo() {
        #expect(throws: FFprobe.Failure.unavailable("/nonexistent/ffprobe")) {
            try FFprobe(executable: "/nonexistent/ffprobe").probe(Data("x".utf8), fileExtension: "mp4")
        }
    }

    @Test func theTemporaryFilesAreRemoved() throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("safecert-scratch-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let probe = FFprobe(scratch: scratch)
        _ = try probe.probe(Data("x".utf8), fileExtension: "../../etc/passwd")
        _ = try probe.probe(try MediaSample.webm(seconds: 1), fileExtension: "webm")
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path).isEmpty)
    }

    @Test func itsJSONIsReadDefensively() {
        let json = #"{"streams":[{"codec_type":"audio","codec_name":"mp3","duration":"2.5"},"#
            + #"{"codec_type":"video","codec_name":"mjpeg","disposition":{"attached_pic":1}}],"format":{"format_name":"mp3"}}"#
        let report = FFprobe.parse(Data(json.utf8))
        #expect(report == MediaProbeReport(formatNames: ["mp3"], duration: 2.5, streams: [
            .init(type: "audio", codec: "mp3"), .init(type: "video", codec: "mjpeg", isAttachedPicture: true),
        ]), "the longest stream stands in for a missing container length")
        #expect(FFprobe.parse(Data("{}".utf8)) == nil)
        #expect(FFprobe.parse(Data("not json".utf8)) == nil)
        #expect(FFprobe.parse(Data(#"{"format":{"format_name":"mp4","duration":"N/A"}}"#.utf8))?.duration == nil)
        #expect(FFprobe.parse(Data(#"{"format":{"format_name":"mp4","duration":"-3"}}"#.utf8))?.duration == nil)
    }
}
