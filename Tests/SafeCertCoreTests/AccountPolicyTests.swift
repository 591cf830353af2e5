import Testing
@testable import SafeCertCore

@Suite("三员分立与账号管理")
struct AccountPolicyTests {
    static let admins: [Role] = [.systemAdmin, .securityAdmin, .auditAdmin]
    static let platform = OrganizationPolicy.Kind(.platform)

    @Test("no role issues an admin account through the web, not even the system admin", arguments: Role.allCases)
    func nobodyIssuesAdmins(actor: Role) {
        #expect(AccountPolicy.issuableRoles(by: actor, for: Self.platform).isEmpty)
        for target in Self.admins {
            #expect(!AccountPolicy.mayAct(.issue, actor: actor, onOwnAccount: false, target: target, organization: Self.platform))
        }
    }

    @Test("no admin resets, unlocks, disables or enables an admin account — another's or its own",
          arguments: Role.allCases, AccountAction.allCases)
    func adminsAreNeverTargets(actor: Role, action: AccountAction) {
        for target in Self.admins {
            #expect(!AccountPolicy.mayAct(action, actor: actor, onOwnAccount: false, target: target, organization: Self.platform))
            #expect(!AccountPolicy.mayAct(action, actor: actor, onOwnAccount: true, target: target, organization: Self.platform))
        }
    }

    @Test("nobody acts on their own account", arguments: AccountAction.allCases)
    func neverOneself(action: AccountAction) {
        #expect(!AccountPolicy.mayAct(action, actor: .provinceAuthority, onOwnAccount: true, target: .provinceAuthority,
                                      organization: .init(.authority, .province)))
        #expect(!AccountPolicy.mayAct(action, actor: .securityAdmin, onOwnAccount: true, target: .enterprise,
                                      organization: .init(.enterprise)))
    }

    @Test("the system admin still issues and manages authority and enterprise accounts")
    func systemAdminManagesOrdinaryAccounts() {
        #expect(AccountPolicy.issuableRoles(by: .systemAdmin, for: .init(.authority, .province)) == [.provinceAuthority])
        for action in [AccountAction.issue, .resetPassword, .disable, .enable] {
            #expect(AccountPolicy.mayAct(action, actor: .systemAdmin, onOwnAccount: false, target: .enterprise, organization: .init(.enterprise)))
        }
        #expect(!AccountPolicy.mayAct(.unlock, actor: .systemAdmin, onOwnAccount: false, target: .enterprise, organization: .init(.enterprise)))
    }

    @Test("the security admin unlocks ordinary accounts and does nothing else to them")
    func securityAdminUnlocks() {
        #expect(AccountPolicy.mayAct(.unlock, actor: .securityAdmin, onOwnAccount: false, target: .nationalCentre,
                                     organization: .init(.authority, .national)))
        for action in [AccountAction.issue, .resetPassword, .disable, .enable] {
            #expect(!AccountPolicy.mayAct(action, actor: .securityAdmin, onOwnAccount: false, target: .enterprise, organization: .init(.enterprise)))
        }
    }

    @Test("a province manages what it could create, not the national centre")
    func provinceBelowOnly() {
        #expect(AccountPolicy.mayAct(.disable, actor: .provinceAuthority, onOwnAccount: false, target: .cityAuthority,
                                     organization: .init(.authority, .city)))
        #expect(!AccountPolicy.mayAct(.disable, actor: .provinceAuthority, onOwnAccount: false, target: .nationalCentre,
                                      organization: .init(.authority, .national)))
    }

    @Test("the command line names the three admin roles")
    func adminNames() {
        #expect(Role(adminName: "system") == .systemAdmin)
        #expect(Role(adminName: "Security") == .securityAdmin)
        #expect(Role(adminName: "audit") == .auditAdmin)
        #expect(Role(adminName: "enterprise") == nil)
        #expect(Role.allCases.filter(\.isPlatformAdmin) == Self.admins)
    }
}
