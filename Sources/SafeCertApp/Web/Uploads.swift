import Foundation
import Vapor

/// The form of an upload route (`RoutesBuilder.upload`): its text fields and its files, read
/// from a body that was streamed to a temporary file and parsed on the document pool.
struct UploadForm: Sendable {
    var fields: [(name: String, value: String)] = []
    var files: [(name: String, file: File)] = []

    /// A field as Vapor's form decoder reads it: the last value sent under the name.
    func text(_ name: String) -> String? { fields.last { $0.name == name }?.value }

    /// The file sent under the name (the last one, as for fields).
    func file(_ name: String) -> File? { files.last { $0.name == name }?.file }

    /// Every file sent under the name, repeated or as `name[]` (a multiple file input).
    func files(_ name: String) -> [File] { files.filter { $0.name == name || $0.name == name + "[]" }.map(\.file) }
}

struct UploadFormKey: StorageKey { typealias Value = UploadForm }

extension Request {
    /// The parsed form of an upload route; nil on every other route.
    var uploadForm: UploadForm? { storage[UploadFormKey.self] }

    func uploadedFile(_ name: String) -> File? { uploadForm?.file(name) }

    func uploadedFiles(_ name: String) -> [File] { uploadForm?.files(name) ?? [] }

    static func bodyTooLarge(_ max: ByteCount) -> Abort {
        Abort(.payloadTooLarge, reason: "提交的内容超过了允许的大小（\(max.value / 1024) KB）")
    }

    /// Streams the body into a temporary file — refused with 413 as soon as it passes `max` —
    /// then parses it on the document pool. Neither the event loop nor a Swift concurrency
    /// thread holds or decodes the whole body.
    func receiveUpload(max: ByteCount) async throws {
        let pool = application.documentPool
        let spool = try await pool.run { try UploadSpool() }
        var received = 0
        for try await chunk in body {
            received += chunk.readableBytes
            guard received <= max.value else { throw Self.bodyTooLarge(max) }
            try await pool.run { try spool.write(chunk) }
        }
        let contentType = headers.contentType
        let form = try await pool.run {
            defer { spool.close() }
            return try UploadParser.parse(spool, contentType: contentType)
        }
        storage[UploadFormKey.self] = form
    }
}

/// The temporary file an upload is streamed into: created private, unlinked at once (the open
/// handle keeps it readable), so nothing is left behind when the request ends or the process dies.
final class UploadSpool: Sendable {
    private let handle: FileHandle

    init() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("safecert-upload-\(UUID().uuidString)")
        guard FileManager.default.createFile(atPath: url.path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
            throw Abort(.internalServerError, reason: "无法保存上传的文件，请稍后重试")
        }
        defer { try? FileManager.default.removeItem(at: url) }
        handle = try FileHandle(forUpdating: url)
    }

    deinit { close() }

    /// Frees the file's blocks (it has no name left); on the pool, as that can take a moment.
    func close() { try? handle.close() }

    func write(_ chunk: ByteBuffer) throws {
        try handle.write(contentsOf: chunk.readableBytesView)
    }

    /// The spooled bytes from the start, `size` at a time.
    func read(chunksOf size: Int, _ body: (Data) throws -> Void) throws {
        try handle.seek(toOffset: 0)
        while let data = try handle.read(upToCount: size), !data.isEmpty {
            try body(data)
        }
    }
}

/// Parses a spooled form body: multipart/form-data with MultipartKit's incremental parser,
/// fed a megabyte at a time, or a urlencoded form. Any other body is an empty form (the route's
/// handler then names what is missing).
enum UploadParser {
    /// More parts than a form of this application sends (5,000 photos and their fields).
    static let maximumParts = 10_000

    static func parse(_ spool: UploadSpool, contentType: HTTPMediaType?) throws -> UploadForm {
        guard let contentType else { return UploadForm() }
        if contentType.type == "multipart", contentType.subType == "form-data" {
            guard let boundary = contentType.parameters["boundary"], !boundary.isEmpty, boundary.utf8.count <= 200 else {
                throw Abort(.badRequest, reason: "上传的表单格式不正确：缺少分隔符（boundary）")
            }
            return try multipart(spool, boundary: boundary)
        }
        if contentType == .urlEncodedForm {
            var bytes = Data()
            try spool.read(chunksOf: 1 << 20) { bytes.append($0) }
            return urlEncoded(String(decoding: bytes, as: UTF8.self))
        }
        return UploadForm()
    }

    static func multipart(_ spool: UploadSpool, boundary: String) throws -> UploadForm {
        var form = UploadForm()
        var headers = HTTPHeaders()
        var body = ByteBuffer()
        var parts = 0
        let parser = MultipartParser(boundary: boundary)
        parser.onHeader = { name, value in headers.add(name: name, value: value) }
        parser.onBody = { chunk in body.writeBuffer(&chunk) }
        parser.onPartComplete = {
            parts += 1
            let part = MultipartPart(headers: headers, body: body)
            headers = HTTPHeaders()
            body = ByteBuffer()
            guard parts <= maximumParts, let name = part.name else { return }
            if part.filename != nil, let file = File(multipart: part) {
                form.files.append((name, file))
            } else if let value = String(multipart: part) {
                form.fields.append((name, value))
            }
        }
        do {
            try spool.read(chunksOf: 1 << 20) { data in
                try parser.execute(ByteBuffer(bytes: data))
                if parts > maximumParts {
                    throw Abort(.payloadTooLarge, reason: "上传的表单项过多（最多 \(maximumParts) 项），请分批上传")
                }
            }
        } catch let abort as Abort {
            throw abort
        } catch {
            throw Abort(.badRequest, reason: "上传的表单格式不正确，请重新选择文件后提交")
        }
        return form
    }

    /// `a=1&b=%E5%90%8D+x`: `+` is a space, escapes are UTF-8; a bad escape stays as sent.
    static func urlEncoded(_ text: String) -> UploadForm {
        var form = UploadForm()
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let halves = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) -> String {
                let spaced = s.replacingOccurrences(of: "+", with: " ")
                return spaced.removingPercentEncoding ?? spaced
            }
            guard let key = halves.first.map(decode), !key.isEmpty else { continue }
            form.fields.append((key, halves.count > 1 ? decode(halves[1]) : ""))
        }
        return form
    }
}
