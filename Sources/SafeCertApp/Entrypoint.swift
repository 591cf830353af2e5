import Fluent
import Foundation
import Logging
import Vapor

/// What the `safecert` executable runs: builds the app from the environment, migrates before
/// serving, then runs the command (`serve`, `migrate`, `seed --demo`, `totp`, `permissions`).
public enum Entrypoint {
    public static func main() async throws {
        var env = try Environment.detect()
        try LoggingSystem.bootstrap(from: &env)
        let app = try await Application.make(env)
        do {
            let settings = Settings.fromEnvironment()
            try await configure(app, settings: settings)
            app.registerCommands()
            try await prepareDatabase(app)
            if env.command == "serve" {
                try await app.autoMigrate()
            }
            try await app.execute()
        } catch {
            app.logger.report(error: error)
            try? await app.asyncShutdown()
            throw error
        }
        try await app.asyncShutdown()
    }
}

extension Environment {
    /// The command the executable was asked to run (`serve` when none is named).
    var command: String { arguments.dropFirst().first { !$0.hasPrefix("-") } ?? "serve" }
}

extension Application {
    /// Whether the periodic jobs (exam scheduler, session purge) run: only while serving, not in
    /// test mode (tests call them with their own clock) nor under `seed`, `migrate` and the like.
    var runsPeriodicJobs: Bool { !settings.testMode && environment.command == "serve" }
}
