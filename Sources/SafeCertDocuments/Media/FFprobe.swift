import Foundation
#if canImport(Glibc)
import Glibc
#endif
import SafeCertCore
import Synchronization

/// Reads what a media file really is with ffprobe (Debian package `ffmpeg`): its container,
/// streams and length. Only ffprobe's JSON is trusted, never the file's name.
///
/// `probe` blocks while ffprobe runs (at most `timeout`): call it on the thread pool. The bytes are
/// written to a private temporary folder, which is removed afterwards, because an MP4 whose index
/// sits at the end cannot be read from a pipe. ffprobe may open files only (`-protocol_whitelist
/// file`), so a crafted playlist cannot make the server fetch URLs.
public struct FFprobe: Sendable {
    public enum Failure: Error, Hashable, Sendable {
        /// ffprobe is not installed where configured, or could not be started.
        case unavailable(String)
        /// It ran longer than `timeout` and was stopped.
        case timedOut
        /// The bytes could not be written to the temporary folder.
        case temporaryFile
    }

    public var executable: String
    public var timeout: TimeInterval
    /// Where the private folder for each probe is made.
    public var scratch: URL

    public init(executable: String = FFprobe.defaultExecutable(), timeout: TimeInterval = 20,
                scratch: URL = FileManager.default.temporaryDirectory) {
        self.executable = executable
        self.timeout = timeout
        self.scratch = scratch
    }

    /// `ffprobe` from the PATH, else Debian's place for it.
    public static func defaultExecutable(path: String? = ProcessInfo.processInfo.environment["PATH"]) -> String {
        for folder in (path ?? "").split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(folder)).appendingPathComponent("ffprobe").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return "/usr/bin/ffprobe"
    }

    /// What ffprobe read from `data`, or nil when it could not read it as media at all (a text
    /// file renamed .mp4). `fileExtension` names the temporary file as the upload was named, since
    /// ffprobe weighs the name when guessing some formats.
    public func probe(_ data: Data, fileExtension: String) throws(Failure) -> MediaProbeReport? {
        let folder = scratch.appendingPathComponent("safecert-probe-\(UUID().uuidString)")
        let safeExtension = String(fileExtension.lowercased().filter { $0.isASCII && ($0.isLetter || $0.isNumber) }.prefix(8))
        let input = folder.appendingPathComponent("input" + (safeExtension.isEmpty ? "" : "." + safeExtension))
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: false,
                                                    attributes: [.posixPermissions: 0o700])
            try data.write(to: input)
        } catch {
            try? FileManager.default.removeItem(at: folder)
            throw .temporaryFile
        }
        defer { try? FileManager.default.removeItem(at: folder) }
        return try probe(fileAt: input, scratch: folder)
    }

    func probe(fileAt input: URL, scratch folder: URL) throws(Failure) -> MediaProbeReport? {
        // Output to a file, not a pipe: waiting for a pipe's end would also wait for anything the
        // process left running, and a killed ffprobe must not hold the request.
        let output = folder.appendingPathComponent("probe.json")
        guard FileManager.default.createFile(atPath: output.path, contents: nil),
              let handle = FileHandle(forWritingAtPath: output.path) else { throw .temporaryFile }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["-v", "error", "-protocol_whitelist", "file", "-print_format", "json",
                             "-show_format", "-show_streams", input.path]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = handle
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            try? handle.close()
            throw .unavailable(executable)
        }
        let stopped = StopFlag()
        let watchdog = DispatchWorkItem {
            guard process.isRunning else { return }
            stopped.value.withLock { $0 = true }
            // SIGKILL, not terminate()'s SIGTERM: a child inherits an ignored SIGTERM from its parent.
            kill(process.processIdentifier, SIGKILL)
        }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: watchdog)
        process.waitUntilExit()
        watchdog.cancel()
        try? handle.close()
        if stopped.value.withLock({ $0 }) { throw .timedOut }
        guard process.terminationReason == .exit, process.terminationStatus == 0,
              let json = FileManager.default.contents(atPath: output.path) else { return nil }
        return Self.parse(json)
    }

    /// ffprobe's `-print_format json -show_format -show_streams` output; nil when it names no
    /// container (ffprobe found nothing it could read).
    public static func parse(_ json: Data) -> MediaProbeReport? {
        guard let output = try? JSONDecoder().decode(Output.self, from: json),
              let names = output.format?.format_name, !names.isEmpty else { return nil }
        let streams = (output.streams ?? []).map { stream in
            MediaProbeReport.Stream(type: stream.codec_type ?? "", codec: stream.codec_name ?? "",
                                    isAttachedPicture: (stream.disposition?["attached_pic"] ?? 0) != 0)
        }
        // The container's length when it states one, else the longest stream's.
        let duration = output.format?.duration.flatMap(seconds)
            ?? (output.streams ?? []).compactMap { $0.duration.flatMap(seconds) }.max()
        return MediaProbeReport(formatNames: names.split(separator: ",").map(String.init), duration: duration, streams: streams)
    }

    private static func seconds(_ text: String) -> TimeInterval? {
        guard let value = Double(text), value.isFinite, value >= 0 else { return nil }
        return value
    }

    /// Set by the watchdog when it stopped ffprobe.
    private final class StopFlag: Sendable {
        let value = Mutex(false)
    }

    private struct Output: Decodable {
        var format: Format?
        var streams: [Stream]?
    }

    private struct Format: Decodable {
        var format_name: String?
        var duration: String?
    }

    private struct Stream: Decodable {
        var codec_type: String?
        var codec_name: String?
        var duration: String?
        var disposition: [String: Int]?
    }
}
