import Testing

@testable import VigilStore

private func isSnakeCase(_ text: String) -> Bool {
    guard let first = text.unicodeScalars.first, ("a"..."z").contains(first),
        text.unicodeScalars.last != "_", !text.contains("__")
    else { return false }
    return text.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
}

@Suite("Controlled vocabularies")
struct VocabularyTests {
    @Test func catalogListsEveryVocabularyInStableOrder() {
        #expect(
            Vocabularies.all.map(\.name) == [
                "violation_types", "targeted_groups", "verification", "site_type", "evidence",
                "site_status", "source_type", "reliability", "actor_type", "assessment", "stance",
                "venue", "link_role", "geo_precision", "confidentiality",
            ])
    }

    @Test(arguments: Vocabularies.all.map(\.name))
    func vocabularyIsWellFormed(name: String) throws {
        let vocabulary = try #require(Vocabularies.named(name))
        #expect(vocabulary.name == name)
        #expect(isSnakeCase(name))
        #expect(!vocabulary.terms.isEmpty)
        #expect(Set(vocabulary.codes).count == vocabulary.codes.count, "duplicate codes in \(name)")
        for term in vocabulary.terms {
            if name == "reliability" {
                #expect(term.code.count == 1 && term.code.allSatisfy { $0.isASCII && $0.isUppercase })
            } else {
                #expect(isSnakeCase(term.code), "\(name).\(term.code) is not snake_case")
            }
            #expect(!term.label.isEmpty, "\(name).\(term.code) has no label")
            #expect(term.label.first?.isUppercase == true)
            #expect(term.definition.count >= 15, "\(name).\(term.code) definition too short")
            #expect(term.definition.hasSuffix("."), "\(name).\(term.code) definition is not a sentence")
            #expect(!term.definition.contains("\n"))
            #expect(vocabulary.contains(term.code))
            #expect(vocabulary.term(term.code) == term)
        }
        #expect(Set(vocabulary.terms.map(\.label)).count == vocabulary.terms.count, "duplicate labels in \(name)")
    }

    @Test func violationTypesMatchTheProductBrief() {
        #expect(
            Vocabularies.violationTypes.codes == [
                "arbitrary_detention", "enforced_disappearance", "torture", "ill_treatment",
                "sexual_violence", "extrajudicial_killing", "extortion", "forced_outing",
                "incitement_to_violence", "threats", "discrimination", "forced_displacement",
                "attack_on_civilians", "restriction_of_expression", "unlawful_surveillance",
                "forced_labour", "denial_of_fair_trial", "destruction_of_property", "other",
            ])
    }

    @Test func stancesMatchTheProductBrief() {
        #expect(
            Vocabularies.stance.codes == [
                "denies_occurrence", "denies_victims_exist", "denies_site_exists",
                "alternative_explanation", "denies_responsibility", "attacks_source",
                "refuses_comment", "promises_investigation", "inadvertent_corroboration",
            ])
        #expect(
            Vocabularies.stance.term("inadvertent_corroboration")?.definition
                == "The statement, while denying, confirms part of the allegation (e.g. that a site exists).")
    }

    @Test(arguments: [
        (
            "targeted_groups",
            [
                "lgbtiq", "journalists", "human_rights_defenders", "ethnic_minority",
                "religious_minority", "political_opposition",
            ]
        ),
        ("verification", ["unverified", "under_review", "corroborated", "confirmed", "disputed", "refuted"]),
        (
            "site_type",
            [
                "official_prison", "pretrial_centre", "police_station", "military_base",
                "intelligence_facility", "immigration_centre", "secret_facility",
                "repurposed_building", "camp", "other",
            ]
        ),
        ("evidence", ["suspected", "corroborated", "confirmed"]),
        ("site_status", ["active", "closed", "repurposed", "demolished", "unknown"]),
        (
            "source_type",
            [
                "media", "ngo", "un_body", "government", "court", "survivor", "witness",
                "relative", "document", "social_media", "academic", "other",
            ]
        ),
        ("reliability", ["A", "B", "C", "D", "E", "F"]),
        ("actor_type", ["official", "state_institution", "security_force", "armed_group", "other"]),
        ("assessment", ["unassessed", "credible", "corroborated", "disputed", "refuted", "retracted"]),
        (
            "venue",
            [
                "press_conference", "interview", "social_media", "state_media", "parliament",
                "court", "un_submission", "official_letter", "other",
            ]
        ),
        (
            "link_role",
            [
                "arrested_at", "held_at", "transferred_to", "interrogated_at",
                "released_from", "died_at", "other",
            ]
        ),
        ("geo_precision", ["exact", "vicinity", "locality", "admin2", "admin1", "country"]),
        ("confidentiality", ["public", "restricted", "confidential"]),
    ])
    func codesFollowTheProductBrief(name: String, prefix: [String]) throws {
        let vocabulary = try #require(Vocabularies.named(name))
        #expect(Array(vocabulary.codes.prefix(prefix.count)) == prefix)
        if name != "targeted_groups" {
            #expect(vocabulary.codes.count == prefix.count)
        }
    }

    @Test func targetedGroupsIncludeCommonAdditions() {
        let groups = Vocabularies.targetedGroups
        for code in [
            "women", "children", "migrants_refugees", "persons_with_disabilities", "lawyers",
            "students", "trade_unionists", "indigenous_peoples", "health_workers", "other",
        ] {
            #expect(groups.contains(code), "missing \(code)")
        }
        #expect(groups.codes.last == "other")
    }

    @Test func geoPrecisionDefinitionsGiveDistances() throws {
        let precision = Vocabularies.geoPrecision
        #expect(try #require(precision.term("exact")).definition.contains("10 metres"))
        #expect(try #require(precision.term("vicinity")).definition.contains("100 metres"))
        #expect(try #require(precision.term("locality")).definition.contains("1 kilometre"))
    }

    @Test func lookupIsExactAndCaseSensitive() {
        #expect(Vocabularies.violationTypes.contains("torture"))
        #expect(!Vocabularies.violationTypes.contains("Torture"))
        #expect(!Vocabularies.violationTypes.contains("torture "))
        #expect(!Vocabularies.violationTypes.contains(""))
        #expect(!Vocabularies.reliability.contains("a"))
        #expect(!Vocabularies.reliability.contains("G"))
        #expect(Vocabularies.violationTypes.term("beating") == nil)
        #expect(Vocabularies.named("stances") == nil)
        #expect(Vocabularies.named("Stance") == nil)
        #expect(Vocabularies.named("stance")?.codes == Vocabularies.stance.codes)
    }
}
