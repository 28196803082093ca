extension Vocabularies {
    /// What was done: incident and allegation `violation_types`. Based on the HURIDOCS
    /// micro-thesauri, with the terms the motivating cases need (e.g. extortion, forced outing).
    public static let violationTypes = Vocabulary(
        "violation_types",
        [
            (
                "arbitrary_detention", "Arbitrary detention",
                "Deprivation of liberty without a legal basis, without due process or judicial review, or as punishment for exercising a protected right (ICCPR art. 9)."
            ),
            (
                "enforced_disappearance", "Enforced disappearance",
                "Arrest, detention or abduction by the state or with its acquiescence, followed by a refusal to acknowledge it or to disclose the person's fate or whereabouts."
            ),
            (
                "torture", "Torture",
                "Severe physical or mental pain or suffering intentionally inflicted by or with the consent of an official, to obtain information, punish, intimidate or discriminate (CAT art. 1)."
            ),
            (
                "ill_treatment", "Cruel, inhuman or degrading treatment",
                "Ill-treatment or punishment by or with the consent of an official that does not reach the severity or purpose required for torture."
            ),
            (
                "sexual_violence", "Sexual violence",
                "An act of a sexual nature committed by force, coercion or threat, including rape, sexual humiliation and violence directed at the genitals."
            ),
            (
                "extrajudicial_killing", "Extrajudicial killing",
                "A deliberate killing by state agents, or with their support or acquiescence, without judicial process or beyond any lawful use of force."
            ),
            (
                "extortion", "Extortion",
                "Obtaining money, property or services by threat or coercion, such as demanding payment from a family for a detainee's release."
            ),
            (
                "forced_outing", "Forced outing",
                "Disclosing, or threatening to disclose, a person's sexual orientation, gender identity or HIV status without consent, including to family or community."
            ),
            (
                "incitement_to_violence", "Incitement to violence",
                "Public advocacy that urges or encourages violence, hostility or discrimination against a person or group, including calls on families to punish relatives."
            ),
            (
                "threats", "Threats and intimidation",
                "Threatening harm to a person, their relatives or property in order to coerce, silence or punish them."
            ),
            (
                "discrimination", "Discrimination",
                "A distinction, exclusion or restriction on a protected ground (such as sexual orientation, ethnicity or religion) that impairs the equal enjoyment of rights."
            ),
            (
                "forced_displacement", "Forced displacement",
                "Compelling people to leave their homes or region, or to flee abroad, by force, threats or coercion, without grounds permitted by international law."
            ),
            (
                "attack_on_civilians", "Attack on civilians",
                "Violence directed against civilians or civilian objects, or an indiscriminate attack that strikes them."
            ),
            (
                "restriction_of_expression", "Restriction of expression",
                "Unjustified interference with seeking, receiving or imparting information and ideas, such as censorship, blocking or punishment for speech (ICCPR art. 19)."
            ),
            (
                "unlawful_surveillance", "Unlawful surveillance",
                "Monitoring of communications, movements or devices without a legal basis, necessity and proportionality, including forced searches of phones."
            ),
            (
                "forced_labour", "Forced labour",
                "Work or service exacted under the menace of a penalty and not offered voluntarily (ILO Convention No. 29)."
            ),
            (
                "denial_of_fair_trial", "Denial of a fair trial",
                "Proceedings that breach fair-trial guarantees, such as no access to a lawyer, coerced confessions or a tribunal that is not independent and impartial."
            ),
            (
                "destruction_of_property", "Destruction of property",
                "Deliberate damage to or destruction of homes, belongings or other property as punishment, intimidation or collective reprisal."
            ),
            (
                "other", "Other",
                "A violation that no other term describes; explain it in the record's summary or claim."
            ),
        ])

    /// Who was targeted: incident `targeted_groups`, the groups victims were selected for
    /// belonging to (or being presumed to belong to).
    public static let targetedGroups = Vocabulary(
        "targeted_groups",
        [
            (
                "lgbtiq", "LGBTIQ people",
                "People targeted for their actual or presumed sexual orientation, gender identity or expression, or sex characteristics."
            ),
            (
                "journalists", "Journalists and media workers",
                "People targeted for gathering, reporting or publishing news and information, including freelancers and bloggers."
            ),
            (
                "human_rights_defenders", "Human rights defenders",
                "People targeted for peacefully promoting or protecting human rights, individually or in an organisation."
            ),
            (
                "ethnic_minority", "Ethnic minority",
                "People targeted for belonging to a national, ethnic or linguistic minority."
            ),
            (
                "religious_minority", "Religious or belief minority",
                "People targeted for their religion or belief, or for holding none."
            ),
            (
                "political_opposition", "Political opposition",
                "People targeted for political opinions, party membership, activism or peaceful protest against the authorities."
            ),
            (
                "women", "Women and girls",
                "Women and girls targeted because of their gender."
            ),
            (
                "children", "Children",
                "People under 18 years of age targeted as such, or affected as children."
            ),
            (
                "migrants_refugees", "Migrants, refugees and asylum seekers",
                "People targeted for their migration status, including refugees, asylum seekers, stateless and internally displaced persons."
            ),
            (
                "persons_with_disabilities", "Persons with disabilities",
                "People targeted because of a physical, mental, intellectual or sensory impairment."
            ),
            (
                "lawyers", "Lawyers",
                "Lawyers and other legal professionals targeted for representing clients or for their legal work."
            ),
            (
                "students", "Students and academics",
                "Students, teachers and researchers targeted for their studies, teaching, research or campus activism."
            ),
            (
                "trade_unionists", "Trade unionists",
                "People targeted for trade union membership or for organising workers."
            ),
            (
                "indigenous_peoples", "Indigenous peoples",
                "Members of indigenous peoples targeted as such, including for defending land and resources."
            ),
            (
                "health_workers", "Health workers",
                "Doctors, nurses and other health workers targeted for providing care or documenting injuries."
            ),
            (
                "other", "Other",
                "A targeted group that no other term describes; explain it in the record's summary."
            ),
        ])

    /// How well an incident as a whole is established: incident `verification`.
    public static let verification = Vocabulary(
        "verification",
        [
            (
                "unverified", "Unverified",
                "Reported, but not yet checked against other sources."
            ),
            (
                "under_review", "Under review",
                "Currently being checked; do not cite as established."
            ),
            (
                "corroborated", "Corroborated",
                "Supported by at least two independent sources, without direct confirmation."
            ),
            (
                "confirmed", "Confirmed",
                "Established by direct evidence, such as first-hand testimony checked against documents, medical or forensic findings, or an official record."
            ),
            (
                "disputed", "Disputed",
                "Credible sources contradict each other on whether or how it happened."
            ),
            (
                "refuted", "Refuted",
                "Shown by reliable evidence not to have happened as reported."
            ),
        ])
}
