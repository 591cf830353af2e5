/// The seed catalogue (DESIGN.md §2 "Defaults found in the regulations", seed 003 for
/// eligibility). Values the documents don't fix are marked "assumed" and are the system admin's
/// to configure; provinces override through their own entries.
extension QualificationCatalogue {
    public static let defaults = QualificationCatalogue(
        types: DefaultCatalogue.constructionManagers + DefaultCatalogue.constructionSpecialTrades
            + DefaultCatalogue.specialOperations + DefaultCatalogue.telecom + DefaultCatalogue.civilExplosives,
        entries: DefaultCatalogue.entries
    )

    /// The date the national defaults are entered with: before any record the platform holds, so
    /// legacy certificates (原持证人员备案) find terms too. The real document is named in `source`.
    public static let baselineDate = CalendarDate(year: 2000, month: 1, day: 1)!

    /// The ministry order for special operations that takes effect on this day.
    public static let specialOperationsNewOrderDate = CalendarDate(year: 2026, month: 6, day: 1)!
}

private enum DefaultCatalogue {
    static let constructionManagers = [
        QualificationType(code: "JZ-A", name: "建筑施工企业主要负责人（A类）", scheme: .constructionManagers, certificateTypeCode: "A"),
        QualificationType(code: "JZ-B", name: "建筑施工企业项目负责人（B类）", scheme: .constructionManagers, certificateTypeCode: "B"),
        QualificationType(code: "JZ-C1", name: "机械类专职安全生产管理人员（C1类）", scheme: .constructionManagers, certificateTypeCode: "C1"),
        QualificationType(code: "JZ-C2", name: "土建类专职安全生产管理人员（C2类）", scheme: .constructionManagers, certificateTypeCode: "C2"),
        QualificationType(code: "JZ-C3", name: "综合类专职安全生产管理人员（C3类）", scheme: .constructionManagers, certificateTypeCode: "C3"),
    ]

    /// Trade codes in the order 建质〔2008〕75号 lists the trades.
    static let constructionSpecialTrades = [
        QualificationType(code: "JT-DG", name: "建筑电工", scheme: .constructionSpecialTrades, certificateTypeCode: "01"),
        QualificationType(code: "JT-JZG", name: "建筑架子工（普通脚手架）", scheme: .constructionSpecialTrades, certificateTypeCode: "02"),
        QualificationType(code: "JT-FJZG", name: "建筑架子工（附着升降脚手架）", scheme: .constructionSpecialTrades, certificateTypeCode: "03"),
        QualificationType(code: "JT-XHSS", name: "建筑起重信号司索工", scheme: .constructionSpecialTrades, certificateTypeCode: "04"),
        QualificationType(code: "JT-TJSJ", name: "建筑起重机械司机（塔式起重机）", scheme: .constructionSpecialTrades, certificateTypeCode: "05"),
    ]

    /// The certificate number is `T` + ID number, so the type code is not part of it.
    static let specialOperations = [
        QualificationType(code: "TZ-DG", name: "低压电工作业", scheme: .specialOperations, certificateTypeCode: "DG"),
        QualificationType(code: "TZ-GYDG", name: "高压电工作业", scheme: .specialOperations, certificateTypeCode: "GYDG"),
        QualificationType(code: "TZ-HJ", name: "熔化焊接与热切割作业", scheme: .specialOperations, certificateTypeCode: "HJ"),
        QualificationType(code: "TZ-GC", name: "高处安装、维护、拆除作业", scheme: .specialOperations, certificateTypeCode: "GC"),
        QualificationType(code: "TZ-ZL", name: "制冷与空调设备运行操作作业", scheme: .specialOperations, certificateTypeCode: "ZL"),
    ]

    static let telecom = [
        QualificationType(code: "TX-A", name: "通信施工企业主要负责人（A类）", scheme: .telecom, certificateTypeCode: "A"),
        QualificationType(code: "TX-B", name: "通信施工企业项目负责人（B类）", scheme: .telecom, certificateTypeCode: "B"),
        QualificationType(code: "TX-C", name: "通信施工企业专职安全生产管理人员（C类）", scheme: .telecom, certificateTypeCode: "C"),
    ]

    /// Production counts as a high-risk unit (危险物品生产), so its managers train 48/16 hours
    /// instead of 32/12 (《生产经营单位安全培训规定》).
    static let civilExplosives = [
        QualificationType(code: "MB-A", name: "民爆企业主要负责人", scheme: .civilExplosives, certificateTypeCode: "A"),
        QualificationType(code: "MB-B", name: "民爆企业安全生产管理人员", scheme: .civilExplosives, certificateTypeCode: "B"),
        QualificationType(code: "MB-SC-A", name: "民爆生产企业主要负责人（高危）", scheme: .civilExplosives, certificateTypeCode: "A"),
        QualificationType(code: "MB-SC-B", name: "民爆生产企业安全生产管理人员（高危）", scheme: .civilExplosives, certificateTypeCode: "B"),
    ]

    static var entries: [CatalogueEntry] {
        constructionManagerEntries + specialTradeEntries + specialOperationsEntries + telecomEntries + civilExplosivesEntries
    }

    // MARK: Construction A/B/C — 住建部令第17号, 建质〔2015〕206号, eligibility from seed 003

    private static let employedAndTrained = ["与所在企业确立劳动关系", "经所在企业年度安全生产教育培训合格"]

    private static var constructionManagerEntries: [CatalogueEntry] {
        let eligibility: [String: EligibilityRule] = [
            // Seed 003 names no age or education for A and B, only documents a reviewer checks.
            "JZ-A": EligibilityRule(minAge: 18, manualChecks: ["具有相应的文化程度、专业技术职称"] + employedAndTrained),
            "JZ-B": EligibilityRule(minAge: 18, manualChecks: ["取得相应注册执业资格"] + employedAndTrained),
        ]
        // "年满 18 周岁未满 60 周岁，身体健康；中专及以上文化程度或初级及以上技术职称；从事施工管理工作两年以上"
        let safetyManager = EligibilityRule(minAge: 18, maxAge: 59, minimumEducation: .seniorHighOrVocational,
                                            technicalTitleMeetsEducation: true, minimumYearsOfExperience: 2,
                                            health: .healthCommitment, manualChecks: employedAndTrained)
        return constructionManagers.map { type in
            let isSafetyManager = type.certificateTypeCode.hasPrefix("C")
            return CatalogueEntry(
                qualificationCode: type.code, effectiveFrom: QualificationCatalogue.baselineDate,
                terms: QualificationTerms(
                    validityYears: 3, renewalWindowDays: 90,
                    continuingHoursPerYear: isSafetyManager ? 40 : 30,
                    // The province sets its pass mark between 60 and 80; 60 is the national floor.
                    subjects: [ExamSubject(kind: .theory, delivery: .computerAtCentre, passMarks: 60, durationMinutes: 120)],
                    eligibility: eligibility[type.code] ?? safetyManager,
                    numberFormat: .construction,
                    resitsAllowed: 1 // assumed
                ),
                source: "住建部令第17号；建质〔2015〕206号"
            )
        }
    }

    // MARK: Construction special trades — 建质〔2008〕75号, eligibility from seed 003

    private static var specialTradeEntries: [CatalogueEntry] {
        constructionSpecialTrades.map { type in
            CatalogueEntry(
                qualificationCode: type.code, effectiveFrom: QualificationCatalogue.baselineDate,
                terms: QualificationTerms(
                    validityYears: 2, renewalWindowDays: 90,
                    // DESIGN.md gives 24 h a year in the renewal rule and 20 h in the hours list;
                    // renewal is where the number is enforced, so the stricter 24 h.
                    continuingHoursPerYear: 24,
                    subjects: [
                        ExamSubject(kind: .theory, delivery: .computerAtCentre, passMarks: 70, durationMinutes: 120),
                        ExamSubject(kind: .practical, delivery: .handsOn, passMarks: 70, durationMinutes: nil),
                    ],
                    // "年满18周岁且符合相关工种规定的年龄要求；体检合格；初中及以上学历": the trade's
                    // own age limit varies, so it is a manual check until a province sets maxAge.
                    eligibility: EligibilityRule(minAge: 18, minimumEducation: .juniorHighOrBelow, health: .medicalCheck,
                                                 manualChecks: ["符合相关工种规定的年龄要求", "无妨碍从事相应特种作业的疾病和生理缺陷"]),
                    numberFormat: .constructionSpecialTrade,
                    resitsAllowed: 1 // assumed
                ),
                source: "建质〔2008〕75号"
            )
        }
    }

    // MARK: Special operations — 应急管理部 (原安监总局令第30号) and the order effective 2026-06-01

    private static func specialOperationsTerms(reviewTrainingHours: Int) -> QualificationTerms {
        QualificationTerms(
            validityYears: 6, renewalWindowDays: 60, reviewCycleYears: 3,
            continuingHoursPerYear: 0, reviewTrainingHours: reviewTrainingHours,
            subjects: [
                ExamSubject(kind: .theory, delivery: .computerAtCentre, passMarks: 80, durationMinutes: 120),
                ExamSubject(kind: .practical, delivery: .handsOn, passMarks: 80, durationMinutes: nil),
            ],
            // "年满18周岁且不超过国家法定退休年龄；体检合格；初中及以上文化程度". The form's lowest
            // level is 初中及以下, so the education check only requires that one is recorded.
            eligibility: EligibilityRule(minAge: 18, maxAge: 60, minimumEducation: .juniorHighOrBelow, health: .medicalCheck,
                                         manualChecks: ["无妨碍从事相应特种作业的器质性心脏病、癫痫病等疾病和生理缺陷"]),
            numberFormat: .specialOperations,
            resitsAllowed: 1,
            passValidMonths: 12
        )
    }

    private static var specialOperationsEntries: [CatalogueEntry] {
        specialOperations.flatMap { type in
            [
                CatalogueEntry(qualificationCode: type.code, effectiveFrom: QualificationCatalogue.baselineDate,
                               terms: specialOperationsTerms(reviewTrainingHours: 8),
                               source: "特种作业人员安全技术培训考核管理规定（原安监总局令第30号）"),
                // Placeholder change (复审培训 8 → 12 h) until the new order's text is entered.
                CatalogueEntry(qualificationCode: type.code, effectiveFrom: QualificationCatalogue.specialOperationsNewOrderDate,
                               terms: specialOperationsTerms(reviewTrainingHours: 12),
                               source: "应急管理部特种作业人员培训考核新规（2026-06-01 施行）"),
            ]
        }
    }

    // MARK: Telecom A/B/C — 工信部通信〔2016〕255号; online batches (seed 004)

    private static var telecomEntries: [CatalogueEntry] {
        telecom.map { type in
            CatalogueEntry(
                qualificationCode: type.code, effectiveFrom: QualificationCatalogue.baselineDate,
                terms: QualificationTerms(
                    validityYears: 3, renewalWindowDays: 90,
                    // Assumed: modelled on construction A/B/C until the ministry's numbers are configured.
                    continuingHoursPerYear: type.code == "TX-C" ? 40 : 30,
                    subjects: [ExamSubject(kind: .theory, delivery: .online, passMarks: 60, durationMinutes: 120)],
                    eligibility: EligibilityRule(minAge: 18, manualChecks: employedAndTrained),
                    numberFormat: CertificateNumberFormat(pattern: "工信安{类别}（{年}）{流水号:7}"),
                    resitsAllowed: 0 // assumed: a failed candidate joins a later online batch
                ),
                source: "工信部通信〔2016〕255号"
            )
        }
    }

    // MARK: Civil explosives — 《生产经营单位安全培训规定》, seed 001

    private static var civilExplosivesEntries: [CatalogueEntry] {
        civilExplosives.map { type in
            let highRisk = type.code.hasPrefix("MB-SC-")
            return CatalogueEntry(
                qualificationCode: type.code, effectiveFrom: QualificationCatalogue.baselineDate,
                terms: QualificationTerms(
                    validityYears: 3, renewalWindowDays: 90,
                    initialTrainingHours: highRisk ? 48 : 32,
                    continuingHoursPerYear: highRisk ? 16 : 12,
                    // Institutions enter the scores (seed 001: 录入成绩 → 成绩确认).
                    subjects: [ExamSubject(kind: .theory, delivery: .paper, passMarks: 60, durationMinutes: 120)],
                    eligibility: EligibilityRule(minAge: 18, manualChecks: ["担任相应职务"]),
                    numberFormat: CertificateNumberFormat(pattern: "民爆安{类别}（{年}）{流水号:7}"), // assumed
                    resitsAllowed: 1 // assumed
                ),
                source: "生产经营单位安全培训规定；民爆行业安全培训管理要求"
            )
        }
    }
}
