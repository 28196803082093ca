extension Vocabularies {
    /// What kind of source an account comes from: source `source_type`.
    public static let sourceType = Vocabulary(
        "source_type",
        [
            (
                "media", "News media",
                "A newspaper, broadcaster, news agency or news website."
            ),
            (
                "ngo", "Non-governmental organisation",
                "A human rights or other civil society organisation."
            ),
            (
                "un_body", "UN body",
                "A United Nations body or mechanism, such as a special rapporteur, treaty body or OHCHR."
            ),
            (
                "government", "Government",
                "A government, ministry, parliament or official of any state."
            ),
            (
                "court", "Court",
                "A court or tribunal, through a judgment, decision or case record."
            ),
            (
                "survivor", "Survivor",
                "A person who directly experienced the violation."
            ),
            (
                "witness", "Witness",
                "A person who saw or heard the events without being a victim of them."
            ),
            (
                "relative", "Relative",
                "A family member or close associate of a victim."
            ),
            (
                "document", "Document",
                "A document, recording or image, such as a leaked order, medical record or video."
            ),
            (
                "social_media", "Social media",
                "A post or channel on a social network or messaging service."
            ),
            (
                "academic", "Academic",
                "A researcher or academic publication."
            ),
            (
                "other", "Other",
                "A kind of source that no other term describes."
            ),
        ])

    /// How far a source has proved trustworthy: source `reliability`, the Admiralty (NATO
    /// AJP-2.1) source-reliability scale. It rates the source, not a particular claim.
    public static let reliability = Vocabulary(
        "reliability",
        [
            (
                "A", "Completely reliable",
                "No doubt about the source's authenticity, trustworthiness or competence; a history of complete reliability."
            ),
            (
                "B", "Usually reliable",
                "Minor doubts about the source's authenticity, trustworthiness or competence; a history of mostly valid information."
            ),
            (
                "C", "Fairly reliable",
                "Doubts about the source's authenticity, trustworthiness or competence, but it has provided valid information before."
            ),
            (
                "D", "Not usually reliable",
                "Significant doubts about the source's authenticity, trustworthiness or competence; it has provided valid information only occasionally."
            ),
            (
                "E", "Unreliable",
                "The source lacks authenticity, trustworthiness and competence; a history of invalid information."
            ),
            (
                "F", "Reliability cannot be judged",
                "There is no basis for evaluating the source, e.g. a new source with no track record."
            ),
        ])

    /// What kind of person or body an actor is: actor `actor_type`.
    public static let actorType = Vocabulary(
        "actor_type",
        [
            (
                "official", "Official",
                "An individual holding public office or acting in an official capacity, such as a head of region or minister."
            ),
            (
                "state_institution", "State institution",
                "A government body, ministry, court, prosecutor's office or other state institution."
            ),
            (
                "security_force", "Security force",
                "Police, military, intelligence or other armed state unit, or a unit acting on the state's behalf."
            ),
            (
                "armed_group", "Non-state armed group",
                "An organised armed group that is not part of the state's forces."
            ),
            (
                "other", "Other",
                "A kind of actor that no other term describes."
            ),
        ])

    /// How an analyst rates one allegation: allegation `assessment`.
    public static let assessment = Vocabulary(
        "assessment",
        [
            (
                "unassessed", "Unassessed",
                "Not yet assessed by an analyst."
            ),
            (
                "credible", "Credible",
                "Plausible and consistent with what is known, but not yet supported by an independent source."
            ),
            (
                "corroborated", "Corroborated",
                "Supported by at least one independent source or by physical or documentary evidence."
            ),
            (
                "disputed", "Disputed",
                "Contradicted by other credible information."
            ),
            (
                "refuted", "Refuted",
                "Shown by reliable evidence to be false."
            ),
            (
                "retracted", "Retracted",
                "Withdrawn by the source that made it."
            ),
        ])
}
