import VigilJSON
import VigilStore

/// The 2017 Chechnya case from the brief, as real records: what `vigil serve --demo` loads.
///
/// Built only from what public press reports of 2017 say. It names no victim or witness: the
/// survivor is an anonymous, restricted source whose identity is protected, with an obviously fictional contact.
/// Confidentiality levels show the model: the incident is public but its exact places are
/// restricted, the survivor's account is restricted, the contact is confidential-only.
public enum DemoDataset {
    /// Loads the dataset unless the database already holds incidents; returns false when it
    /// skipped (so running `--demo` twice does not duplicate the records).
    @discardableResult
    public static func load(into store: Store) throws -> Bool {
        let context = AccessContext(actor: "demo", role: .admin, clearance: .confidential)
        var probe = ListQuery()
        probe.limit = 1
        guard try store.list(.incidents, probe, as: context).records.isEmpty else { return false }

        func make(_ kind: ResourceKind, _ pairs: [(String, JSONValue)]) throws(StoreError) -> String {
            let record = try store.create(kind, JSONObject(pairs), as: context)
            return record.id
        }
        let tags: JSONValue = .array([.string("chechnya-2017")])

        // Sources.
        let novaya = try make(
            .sources,
            [
                ("name", "Novaya Gazeta"), ("source_type", "media"), ("url", "https://novayagazeta.ru"),
                ("country", "RU"), ("language", "ru"), ("reliability", "B"), ("confidentiality", "public"),
                ("tags", tags),
            ])
        let radioLiberty = try make(
            .sources,
            [
                ("name", "Radio Liberty"), ("source_type", "media"), ("url", "https://www.svoboda.org"),
                ("language", "ru"),
                ("reliability", "B"), ("confidentiality", "public"), ("tags", tags),
            ])
        let parliament = try make(
            .sources,
            [
                ("name", "UK Parliament (Hansard)"), ("source_type", "government"),
                ("url", "https://hansard.parliament.uk"),
                ("country", "GB"), ("language", "en"), ("reliability", "A"), ("confidentiality", "public"),
                ("tags", tags),
            ])
        let survivor = try make(
            .sources,
            [
                ("name", "Survivor testimony S-1"), ("source_type", "survivor"), ("protected_identity", true),
                ("contact", "+0 000 000 0000"), ("reliability", "C"), ("confidentiality", "restricted"), ("tags", tags),
            ])
        let aggregator = try make(
            .sources,
            [
                ("name", "News aggregator (republished Novaya Gazeta)"), ("source_type", "media"), ("language", "ru"),
                ("reliability", "D"), ("confidentiality", "public"), ("tags", tags),
            ])

        // Actors.
        let kadyrov = try make(
            .actors,
            [
                ("name", "Ramzan Kadyrov"), ("actor_type", "official"), ("position", "Head of the Chechen Republic"),
                ("country", "RU"), ("confidentiality", "public"), ("tags", tags),
            ])
        let councilMember = try make(
            .actors,
            [
                ("name", "Member of the Chechen Human Rights Council"), ("actor_type", "official"),
                ("position", "Chechen Human Rights Council"), ("country", "RU"), ("confidentiality", "public"),
                ("tags", tags),
            ])

        // Sites: known only approximately; their use for detention is suspected, their status unknown.
        func site(_ name: String, _ extra: [(String, JSONValue)]) throws -> String {
            try make(
                .sites,
                [
                    ("name", .string(name)), ("site_type", "secret_facility"), ("country", "RU"),
                    ("admin1", "Chechnya"),
                    ("evidence", "suspected"), ("status", "unknown"), ("first_reported", "2017-04"),
                    ("confidentiality", "public"), ("location_confidentiality", "restricted"), ("tags", tags),
                ] + extra)
        }
        let argun = try site(
            "Secret prison in Argun",
            [
                ("aliases", .array(["former military commandant's office, Argun"])),
                ("site_type", "repurposed_building"),
                ("locality", "Argun"), ("lat", 43.29), ("lon", 45.87), ("geo_precision", "locality"),
                (
                    "description",
                    "A former military commandant's office in Argun, reported by Novaya Gazeta as the first secret prison."
                ),
            ])
        let tsotsiYurt = try site(
            "Detention site at Tsotsi-Yurt",
            [
                ("locality", "Tsotsi-Yurt"), ("lat", 43.24), ("lon", 46.0), ("geo_precision", "locality"),
                ("description", "Reported via Radio Liberty."),
            ])
        var unnamed: [String] = []
        for number in 1...4 {
            unnamed.append(
                try site(
                    "Unnamed suspected site \(number)",
                    [
                        ("geo_precision", "admin1"),
                        (
                            "description",
                            "One of the six secret prisons Novaya Gazeta reported on 24 April 2017; its place is not known."
                        ),
                    ]))
        }

        // The incident, linked to the sites.
        let links: [JSONValue] = ([argun, tsotsiYurt] + unnamed).map { id in
            .object(JSONObject([("site_id", .string(id)), ("role", "held_at"), ("period", "2017-02/2017-03")]))
        }
        let incident = try make(
            .incidents,
            [
                ("title", "Mass detention and torture of men presumed gay in Chechnya"),
                (
                    "summary",
                    .string(
                        "More than 100 men presumed gay were detained in February–March 2017, held in secret prisons (Argun first, "
                            + "then at least six sites), tortured with electric shocks, released when families paid, and beaten until they "
                            + "named others.")
                ),
                ("occurred", "2017-02/2017-03"), ("country", "RU"), ("admin1", "Chechnya"), ("locality", "Argun"),
                ("lat", 43.29), ("lon", 45.87), ("geo_precision", "locality"),
                ("violation_types", .array(["arbitrary_detention", "torture", "extortion", "forced_outing"])),
                ("targeted_groups", .array(["lgbtiq"])), ("victims_min", 100), ("verification", "corroborated"),
                ("confidentiality", "public"), ("location_confidentiality", "restricted"), ("tags", tags),
                ("sites", .array(links)),
            ])

        // Allegations.
        let detentions = try make(
            .allegations,
            [
                ("source_id", .string(novaya)), ("incident_id", .string(incident)), ("alleged_on", "2017-04-01"),
                (
                    "claim",
                    "More than 100 men presumed gay have been detained in Chechnya; at least three are reported killed."
                ),
                ("violation_types", .array(["arbitrary_detention", "extrajudicial_killing"])),
                ("assessment", "corroborated"),
                ("confidentiality", "public"), ("tags", tags),
            ])
        let prisons = try make(
            .allegations,
            [
                ("source_id", .string(novaya)), ("incident_id", .string(incident)), ("site_id", .string(argun)),
                ("alleged_on", "2017-04-24"),
                (
                    "claim",
                    "The men were held in secret prisons, six in all, the first in a former military commandant's office in Argun."
                ),
                ("violation_types", .array(["arbitrary_detention"])), ("assessment", "credible"),
                ("confidentiality", "public"), ("tags", tags),
            ])
        _ = try make(
            .allegations,
            [
                ("source_id", .string(survivor)), ("incident_id", .string(incident)), ("site_id", .string(argun)),
                ("alleged_on", "2017-04"),
                (
                    "claim",
                    "Detainees were given electric shocks through clamps on fingers and toes and beaten until they named others."
                ),
                ("violation_types", .array(["torture", "forced_outing"])), ("assessment", "credible"),
                ("confidentiality", "restricted"), ("tags", tags),
            ])
        _ = try make(
            .allegations,
            [
                ("source_id", .string(aggregator)), ("incident_id", .string(incident)), ("alleged_on", "2017-04-02"),
                ("claim", "Republication of Novaya Gazeta's report of mass detentions of gay men in Chechnya."),
                ("repeats_id", .string(detentions)), ("assessment", "unassessed"), ("confidentiality", "public"),
                ("tags", tags),
            ])
        _ = try make(
            .allegations,
            [
                ("source_id", .string(radioLiberty)), ("incident_id", .string(incident)),
                ("site_id", .string(tsotsiYurt)),
                ("alleged_on", "2017-04?"), ("claim", "Men were held at a site in Tsotsi-Yurt."),
                ("violation_types", .array(["arbitrary_detention"])), ("assessment", "credible"),
                ("confidentiality", "public"), ("tags", tags),
            ])
        _ = try make(
            .allegations,
            [
                ("source_id", .string(parliament)), ("incident_id", .string(incident)), ("alleged_on", "2017-04?"),
                (
                    "claim",
                    "A UK minister told Parliament that human-rights groups attribute the campaign to Ramzan Kadyrov."
                ),
                ("assessment", "credible"), ("confidentiality", "public"), ("tags", tags),
            ])
        _ = prisons  // The six-prisons allegation is deliberately left undenied: no one denied the sites exist.

        // Denials.
        _ = try make(
            .denials,
            [
                ("statement", "You cannot arrest or repress people who just don't exist in the republic."),
                ("stance", "denies_victims_exist"), ("allegation_id", .string(detentions)),
                ("incident_id", .string(incident)),
                ("actor_id", .string(kadyrov)), ("stated_on", "2017-04"), ("source_id", .string(novaya)),
                ("confidentiality", "public"), ("tags", tags),
            ])
        _ = try make(
            .denials,
            [
                ("statement", "Kadyrov told President Putin not to believe the articles."),
                ("stance", "denies_occurrence"), ("incident_id", .string(incident)), ("actor_id", .string(kadyrov)),
                ("stated_on", "2017-04"), ("venue", "state_media"), ("confidentiality", "public"), ("tags", tags),
            ])
        _ = try make(
            .denials,
            [
                ("statement", "The sites held terrorism suspects, not gay men."),
                ("stance", "alternative_explanation"), ("incident_id", .string(incident)),
                ("actor_id", .string(councilMember)),
                ("stated_on", "2017-04?"), ("confidentiality", "public"), ("tags", tags),
            ])
        return true
    }
}
