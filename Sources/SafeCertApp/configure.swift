import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import Leaf
import SafeCertCore
import Vapor

/// The composition root: builds the application from its settings.
public func configure(_ app: Application, settings: Settings, services: AppServices? = nil) async throws {
    app.settings = settings
    app.appServices = services ?? .live(settings: settings, client: app.client, logger: app.logger)

    await app.startDocumentPool()
    await app.startPasswordPool()
    try configureDatabase(app, settings.storage)
    app.migrations.add(SafeCertMigrations.all)

    app.passwords.use(.bcrypt(cost: settings.bcryptCost))
    configureViews(app)
    app.routes.defaultMaxBodySize = "64kb"

    // Order matters: errors are rendered as Chinese pages; headers go on every response,
    // including error pages; static files skip the session lookup.
    app.middleware = .init()
    if settings.testMode { app.middleware.use(QueryReadsMiddleware()) }
    app.middleware.use(SecurityHeadersMiddleware())
    app.middleware.use(ErrorPageMiddleware(environment: app.environment))
    app.middleware.use(APIMethodNotAllowedMiddleware())
    app.middleware.use(FileMiddleware(publicDirectory: app.directory.publicDirectory, defaultFile: nil))
    app.middleware.use(WebSessionMiddleware())
    app.middleware.use(VisitorStateMiddleware())

    app.lifecycle.use(ExamSchedulerLifecycle())
    app.lifecycle.use(SessionPurgeLifecycle())

    try routes(app)
}

/// Leaf as the app renders it: templates under Resources/Views, cached in release, the app's own
/// tags. The page snapshot tests render through this too, so they see exactly what users see.
public func configureViews(_ app: Application) {
    app.views.use(.leaf)
    app.leaf.cache.isEnabled = app.environment.isRelease
    app.leaf.tags["fieldError"] = FieldErrorTag()
}

private func configureDatabase(_ app: Application, _ storage: Settings.Storage) throws {
    switch storage {
    case .sqliteMemory:
        app.databases.use(.sqlite(.memory), as: .sqlite)
    case .sqliteFile(let path):
        try FileManager.default.createDirectory(
            atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path, withIntermediateDirectories: true)
        app.databases.use(.sqlite(.file(path)), as: .sqlite)
    case .postgres(let url, let searchPath):
        var config = try SQLPostgresConfiguration(url: url)
        if let searchPath { config.searchPath = [searchPath] }
        app.databases.use(.postgres(configuration: config), as: .psql)
    }
}

/// Things the database must be told once, before migrations: SQLite keeps its journal in WAL
/// mode (persistent in the file) and enforces foreign keys.
public func prepareDatabase(_ app: Application) async throws {
    guard let sql = app.db as? any SQLDatabase else { return }
    if app.db is SQLiteDatabase, case .sqliteFile = app.settings.storage {
        try await sql.raw("PRAGMA journal_mode=WAL").run()
    }
}
