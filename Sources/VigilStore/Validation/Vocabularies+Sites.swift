extension Vocabularies {
    /// What kind of place a detention site is: site `site_type`.
    public static let siteType = Vocabulary(
        "site_type",
        [
            (
                "official_prison", "Official prison",
                "A penitentiary or colony run by the prison service for convicted prisoners."
            ),
            (
                "pretrial_centre", "Pre-trial detention centre",
                "An official facility holding people awaiting investigation or trial."
            ),
            (
                "police_station", "Police station",
                "A police building, including its temporary holding cells."
            ),
            (
                "military_base", "Military base",
                "A base, barracks or commandant's office of the armed forces or a militarised unit."
            ),
            (
                "intelligence_facility", "Intelligence or security service facility",
                "A building of an intelligence or state security service used to hold or interrogate people."
            ),
            (
                "immigration_centre", "Immigration detention centre",
                "A facility holding migrants, asylum seekers or people awaiting deportation."
            ),
            (
                "secret_facility", "Secret facility",
                "An unacknowledged place of detention, whose existence or use for detention the authorities do not admit."
            ),
            (
                "repurposed_building", "Repurposed building",
                "A building made for another purpose (office, school, factory, basement) used to hold people."
            ),
            (
                "camp", "Camp",
                "A fenced or guarded camp holding people, such as a filtration or internment camp."
            ),
            (
                "other", "Other",
                "A kind of site that no other term describes; explain it in the description."
            ),
        ])

    /// How well a site's use for detention is established: site `evidence`.
    public static let evidence = Vocabulary(
        "evidence",
        [
            (
                "suspected", "Suspected",
                "Reported by a single source or by hearsay; its use for detention is not established."
            ),
            (
                "corroborated", "Corroborated",
                "Its use for detention is supported by at least two independent sources."
            ),
            (
                "confirmed", "Confirmed",
                "Its use for detention is established by direct evidence, such as survivor testimony matched with imagery, documents or an official admission."
            ),
        ])

    /// Whether a site operates: site `status`.
    public static let siteStatus = Vocabulary(
        "site_status",
        [
            (
                "active", "Active",
                "Believed to be in use for detention at the time of the last report."
            ),
            (
                "closed", "Closed",
                "No longer used for detention; the building still stands."
            ),
            (
                "repurposed", "Repurposed",
                "No longer used for detention and now put to another use."
            ),
            (
                "demolished", "Demolished",
                "The building or facility no longer exists."
            ),
            (
                "unknown", "Unknown",
                "Whether the site still operates is not known."
            ),
        ])

    /// What happened to people at a site: the `role` of an incident↔site link.
    public static let linkRole = Vocabulary(
        "link_role",
        [
            (
                "arrested_at", "Arrested at",
                "People were seized or arrested at this site."
            ),
            (
                "held_at", "Held at",
                "People were detained at this site."
            ),
            (
                "transferred_to", "Transferred to",
                "People were moved to this site from another place of detention."
            ),
            (
                "interrogated_at", "Interrogated at",
                "People were questioned at this site, whether or not they were held there."
            ),
            (
                "released_from", "Released from",
                "People were let go from this site."
            ),
            (
                "died_at", "Died at",
                "People died at this site."
            ),
            (
                "other", "Other",
                "Another connection; explain it in the link's note."
            ),
        ])
}
