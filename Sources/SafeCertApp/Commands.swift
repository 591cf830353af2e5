import Fluent
import Foundation
import SafeCertCore
import Vapor

/// `safecert seed --demo`
struct SeedCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Flag(name: "demo", help: "生成演示数据（单位、每个角色一个账号）")
        var demo: Bool
        @Option(name: "scale", help: "people=N：在演示数据之上补足 N 名规模测试人员（可重复执行，只增不减）")
        var scale: String?
    }

    var help: String { "迁移数据库并生成演示数据（可重复执行）" }

    func run(using context: CommandContext, signature: Signature) async throws {
        if let spec = signature.scale {
            let people: Int
            do { people = try ScalePopulation.parse(spec) } catch {
                context.console.error(error.description)
                return
            }
            try await context.application.autoMigrate()
            let started = Date()
            let console = context.console
            let outcome = try await ScaleSeed.run(on: context.application, people: people) { done in
                if done % 100_000 == 0 { console.print("已写入至第 \(done) 人（\(Int(Date().timeIntervalSince(started))) 秒）") }
            }
            console.print("规模测试人员：原有 \(outcome.existing) 人，新增 \(outcome.added) 人，共 \(outcome.existing + outcome.added) 人；"
                + "用时 \(String(format: "%.1f", Date().timeIntervalSince(started))) 秒")
            return
        }
        guard signature.demo else {
            context.console.error("请使用 --demo 或 --scale people=N")
            return
        }
        try await context.application.autoMigrate()
        try await DemoSeed.run(on: context.application)
        context.console.print("演示账号密码：\(DemoSeed.password)；动态口令密钥：\(DemoSeed.totpSecret)")
    }
}

/// `safecert totp [--secret BASE32]`: the current dynamic code (demo secret by default).
struct TOTPCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "secret", help: "Base32 密钥；默认为演示账号的密钥")
        var secret: String?
    }

    var help: String { "显示当前动态口令" }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard let totp = TOTP(base32: signature.secret ?? DemoSeed.totpSecret) else {
            context.console.error("密钥不是有效的 Base32")
            return
        }
        let now = Date()
        context.console.print("\(totp.code(at: now))（\(30 - Int(now.timeIntervalSince1970) % 30) 秒后更新）")
    }
}

/// `safecert permissions`: the role → permission matrix as Markdown (README).
struct PermissionsCommand: AsyncCommand {
    struct Signature: CommandSignature {}
    var help: String { "打印角色与权限对照表" }

    func run(using context: CommandContext, signature: Signature) async throws {
        context.console.print(PermissionTable.markdownMatrix())
    }
}

extension Application {
    func registerCommands() {
        asyncCommands.use(SeedCommand(), as: "seed")
        asyncCommands.use(TOTPCommand(), as: "totp")
        asyncCommands.use(AdminCommand(), as: "admin")
        asyncCommands.use(PermissionsCommand(), as: "permissions")
        asyncCommands.use(BenchCommand(), as: "bench")
        asyncCommands.use(RouteTableCommand(), as: "route-table")
        asyncCommands.use(AuditCommand(), as: "audit")
    }
}
