extension Vocabularies {
    /// What an official response does with an allegation: denial `stance`. Typed so that users can
    /// see which part of an allegation was denied and which was not (e.g. sites never denied).
    public static let stance = Vocabulary(
        "stance",
        [
            (
                "denies_occurrence", "Denies occurrence",
                "States that the alleged events did not happen."
            ),
            (
                "denies_victims_exist", "Denies victims exist",
                "States that the alleged victims, or the group they belong to, do not exist."
            ),
            (
                "denies_site_exists", "Denies site exists",
                "States that the alleged place of detention does not exist or is not used for detention."
            ),
            (
                "alternative_explanation", "Alternative explanation",
                "Admits some facts but explains them otherwise, e.g. that those detained are criminal or terrorism suspects."
            ),
            (
                "denies_responsibility", "Denies responsibility",
                "Admits that the events may have happened but denies that the speaker or the state is responsible."
            ),
            (
                "attacks_source", "Attacks the source",
                "Discredits, threatens or accuses the source or its authors instead of addressing the allegation."
            ),
            (
                "refuses_comment", "Refuses to comment",
                "Declines to answer the allegation."
            ),
            (
                "promises_investigation", "Promises investigation",
                "Announces or promises an inquiry into the allegation, without confirming or denying it."
            ),
            (
                "inadvertent_corroboration", "Inadvertent corroboration",
                "The statement, while denying, confirms part of the allegation (e.g. that a site exists)."
            ),
        ])

    /// Where an official response was made: denial `venue`.
    public static let venue = Vocabulary(
        "venue",
        [
            (
                "press_conference", "Press conference",
                "Said at a press conference or briefing."
            ),
            (
                "interview", "Interview",
                "Said in an interview with a journalist."
            ),
            (
                "social_media", "Social media",
                "Posted on the speaker's social media or messaging channel."
            ),
            (
                "state_media", "State media",
                "Said through state-owned or state-controlled media."
            ),
            (
                "parliament", "Parliament",
                "Said in a parliament or legislative assembly, or in a written answer to it."
            ),
            (
                "court", "Court",
                "Said in court proceedings or filings."
            ),
            (
                "un_submission", "UN submission",
                "Said in a submission or reply to a United Nations body or mechanism."
            ),
            (
                "official_letter", "Official letter",
                "Said in a letter or formal statement from an official or institution."
            ),
            (
                "other", "Other",
                "Any other venue; say which in the statement's context."
            ),
        ])
}
