extension Vocabularies {
    /// How precisely `lat`/`lon` locate a place: `geo_precision`, from finest to coarsest.
    public static let geoPrecision = Vocabulary(
        "geo_precision",
        [
            (
                "exact", "Exact",
                "The coordinates are within about 10 metres of the place."
            ),
            (
                "vicinity", "Vicinity",
                "The coordinates are within about 100 metres of the place."
            ),
            (
                "locality", "Locality",
                "The coordinates are within about 1 kilometre, e.g. the centre of a village or district."
            ),
            (
                "admin2", "Second-level administrative area",
                "Only the district or municipality (admin2) is known; the coordinates mark its centre."
            ),
            (
                "admin1", "First-level administrative area",
                "Only the region, province or republic (admin1) is known; the coordinates mark its centre."
            ),
            (
                "country", "Country",
                "Only the country is known; the coordinates, if any, mark its centre."
            ),
        ])

    /// How sensitive a record is; readers see only records at or below their clearance.
    /// Ordered from least to most sensitive.
    public static let confidentiality = Vocabulary(
        "confidentiality",
        [
            (
                "public", "Public",
                "May be published and shown to anyone, including readers without a token."
            ),
            (
                "restricted", "Restricted",
                "For staff and trusted partners; disclosure could harm the work or the people involved. The default."
            ),
            (
                "confidential", "Confidential",
                "Disclosure could endanger people; visible only to tokens with confidential clearance."
            ),
        ])
}
