import Foundation
import NIOCore
import NIOPosix
import Testing
import Vapor
import VaporTesting
@testable import SafeCertApp

/// Sends a request's head and the first bytes of its body — nothing more, whatever its
/// Content-Length says — over a real connection to the running app, and returns the answer (head
/// and body, by the answer's Content-Length). Vapor hands a request on at its first body bytes; a
/// route that waited for the whole body would never answer: the deadline ends the wait.
func answerBeforeTheBody(port: Int, _ head: String, deadline: Duration = .seconds(30)) async throws -> String {
    let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .connect(host: "127.0.0.1", port: port) { channel in
            channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
        }
    return try await withThrowingTaskGroup(of: String?.self) { group in
        group.addTask {
            try await channel.executeThenClose { inbound, outbound in
                try await outbound.write(ByteBuffer(string: head + "--x\r\n"))
                var answer = ByteBuffer()
                for try await var chunk in inbound {
                    answer.writeBuffer(&chunk)
                    if isComplete(answer) { break }
                }
                return String(buffer: answer)
            }
        }
        group.addTask {
            try await Task.sleep(for: deadline)
            return nil
        }
        let first = try await group.next() ?? nil
        group.cancelAll()
        try? await channel.channel.close()
        return first ?? "no answer before the deadline"
    }
}

/// Whether `answer` holds a whole HTTP response: its head and as many bytes as it announced.
private func isComplete(_ answer: ByteBuffer) -> Bool {
    let bytes = Array(answer.readableBytesView)
    guard let end = bytes.indices.dropLast(3).first(where: { bytes[$0..<$0 + 4].elementsEqual("\r\n\r\n".utf8) }) else { return false }
    let head = String(decoding: bytes[..<end], as: UTF8.self).lowercased()
    let length = head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
        .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
    return bytes.count - (end + 4) >= length
}

@Suite("上传：流式接收，不占用事件循环") struct UploadHardeningTests {
    func withServer(_ t: TestApp, _ body: (Int) async throws -> Void) async throws {
        try await t.app.server.start(address: .hostname("127.0.0.1", port: 0))
        do {
            let port = try #require(t.app.http.server.shared.localAddress?.port)
            try await body(port)
        } catch {
            await t.app.server.shutdown()
            throw error
        }
        await t.app.server.shutdown()
    }

    /// The head of a batch-photo upload that announces `length` bytes and sends none of them.
    static func photosHead(cookie: String, name: String = WebSessionMiddleware.cookieName, length: Int) -> String {
        """
        POST /people/photos HTTP/1.1\r
        Host: 127.0.0.1\r
        Cookie: \(name)=\(cookie)\r
        Content-Type: multipart/form-data; boundary=x\r
        Content-Length: \(length)\r
        Connection: close\r
        \r

        """
    }

    @Test("an upload larger than its route allows is refused with 413 before its body is sent, not collected first")
    func refusedBeforeTheBody() async throws {
        try await withSafeCert { t in
            let enterprise = try await t.loggedIn("enterprise")
            let cookie = try #require(enterprise.cookie)
            try await withServer(t) { port in
                let answer = try await answerBeforeTheBody(port: port, Self.photosHead(cookie: cookie, length: 300 * 1024 * 1024))
                #expect(answer.hasPrefix("HTTP/1.1 413"), "\(answer.prefix(200))")
                #expect(answer.contains("提交的内容超过了允许的大小（204800 KB）"))
            }
        }
    }

    @Test("an upload by someone who may not use the route is refused before its body is read")
    func unauthorisedBeforeTheBody() async throws {
        try await withSafeCert { t in
            // A visitor with only the login page's cookie has no session: refused (403) before the body.
            let visitor = t.client()
            try await visitor.get("/login")
            #expect(visitor.cookie == nil)
            let visitorCookie = try #require(visitor.visitorCookie)
            // A session, but nobody logged in (as between the password and the second step).
            let token = Tokens.random(bytes: 32)
            try await WebSession(id: Tokens.sha256(token), csrfToken: "x", now: t.clock.now()).create(on: t.db)
            try await withServer(t) { port in
                let anonymous = try await answerBeforeTheBody(port: port, Self.photosHead(cookie: visitorCookie, name: VisitorState.cookieName,
                                                                                          length: 10 * 1024 * 1024))
                #expect(anonymous.hasPrefix("HTTP/1.1 403"), "\(anonymous.prefix(200))")
                let answer = try await answerBeforeTheBody(port: port, Self.photosHead(cookie: token, length: 10 * 1024 * 1024))
                #expect(answer.hasPrefix("HTTP/1.1 401"), "\(answer.prefix(200))")
                #expect(answer.contains("请先登录"))
            }
        }
    }

    @Test("an upload whose form can't be parsed is refused with 400 and a Chinese message")
    func malformedForm() async throws {
        try await withSafeCert { t in
            let enterprise = try await t.loggedIn("enterprise")
            var headers = HTTPHeaders()
            headers.replaceOrAdd(name: .contentType, value: "multipart/form-data")
            let noBoundary = try await enterprise.send(.POST, "/people/photos", headers: headers, body: ByteBuffer(string: "--x\r\n\r\n"))
            #expect(noBoundary.status == .badRequest)
            #expect(noBoundary.body.string.contains("上传的表单格式不正确"))
            headers.replaceOrAdd(name: .contentType, value: "multipart/form-data; boundary=x")
            let broken = try await enterprise.send(.POST, "/people/photos", headers: headers,
                                                   body: ByteBuffer(string: "--x\r\nContent-Disposition form-data\r\n\r\nvalue\r\n--x--\r\n"))
            #expect(broken.status == .badRequest)
            #expect(broken.body.string.contains("上传的表单格式不正确"))
        }
    }

    @Test("the photos of a multiple file input are all taken, named photos or photos[]")
    func repeatedFileFields() async throws {
        try await withSafeCert { t in
            let enterprise = try await t.loggedIn("enterprise")
            let zhao = try await t.person(named: "赵敏")
            let sun = try await t.person(named: "孙磊")
            let response = try await enterprise.upload("/people/photos", files: [
                ("photos", "\(zhao.idNumber).jpg", try TestPhotos.jpeg(width: 300, height: 420)),
                ("photos", "\(sun.idNumber).jpg", try TestPhotos.jpeg(width: 301, height: 421)),
            ])
            #expect(response.status == .ok)
            #expect(response.body.string.components(separatedBy: "已匹配并保存").count - 1 == 2)
        }
    }
}
