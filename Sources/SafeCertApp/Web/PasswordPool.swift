import Vapor

/// Password hashing (bcrypt) runs on threads of its own, not on `app.threadPool`: SQLite's
/// queries run there, and a burst of logins — each a quarter-second of bcrypt — would hold up
/// every page and `/healthz` behind it (issue 11). At most one thread fewer than the cores, at
/// nice 10 like the document pool, so hashing never takes the last core from the pages.
struct PasswordWork: Sendable {
    let hasher: any PasswordHasher
    let pool: DocumentPool

    func hash(_ password: String) async throws -> String {
        try await pool.run { try hasher.hash(password) }
    }

    func verify(_ password: String, created digest: String) async throws -> Bool {
        try await pool.run { try hasher.verify(password, created: digest) }
    }
}

struct PasswordPoolKey: StorageKey { typealias Value = DocumentPool }

extension Application {
    /// Hashing and checking passwords on the password pool.
    var hashing: PasswordWork {
        PasswordWork(hasher: password.sync, pool: storage[PasswordPoolKey.self] ?? documentPool)
    }

    static var passwordThreads: Int { max(1, System.coreCount - 1) }

    func startPasswordPool() async {
        let threads = NIOThreadPool(numberOfThreads: Self.passwordThreads)
        threads.start()
        await storage.setWithAsyncShutdown(PasswordPoolKey.self, to: DocumentPool(threads: threads)) {
            try await $0.threads.shutdownGracefully()
        }
    }
}

extension Request {
    var hashing: PasswordWork { application.hashing }
}
