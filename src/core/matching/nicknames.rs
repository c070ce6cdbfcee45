//! Common English given-name nicknames.
//!
//! A small table written for this library (no external list was copied): each line is a
//! formal given name followed by the short forms commonly used for it in the US and UK. Two
//! first names are "the same by nickname" when one line holds both (so "Bob" = "Robert" and
//! "Bob" = "Rob", but "Bob" ≠ "Bill"). Names are folded (lower case, no accents). A short form
//! shared by two formal names ("Alex": Alexander, Alexandra) appears on both lines.
//!
//! Extending it: add a line; keep entries lower case ASCII. A larger public list (e.g. the
//! Apache-2.0 `carltonnorthern/nicknames` CSV) could replace it wholesale.

const TABLE: &[&[&str]] = &[
    &["abigail", "abby", "gail"],
    &["abraham", "abe"],
    &["albert", "al", "bert", "bertie"],
    &["alexander", "alex", "al", "sandy", "xander", "alec"],
    &["alexandra", "alex", "sandra", "sandy", "lexi", "alexa"],
    &["alfred", "al", "alf", "alfie", "fred"],
    &["andrew", "andy", "drew"],
    &["anthony", "tony", "ant"],
    &["antonio", "tony", "toni"],
    &["arthur", "art", "artie"],
    &["barbara", "barb", "babs", "barbie"],
    &["benjamin", "ben", "benny", "benji"],
    &["bernard", "bernie", "bern"],
    &["catherine", "cathy", "cat", "kate", "katie", "kay", "cate"],
    &[
        "katherine",
        "kathy",
        "kate",
        "katie",
        "kat",
        "kay",
        "kitty",
        "kathryn",
    ],
    &["charles", "charlie", "chuck", "chas", "chaz"],
    &["christina", "chris", "tina", "christy", "christine"],
    &["christopher", "chris", "kit", "topher"],
    &["cynthia", "cindy"],
    &["daniel", "dan", "danny"],
    &["david", "dave", "davey"],
    &["deborah", "debbie", "deb", "debra"],
    &["donald", "don", "donnie"],
    &["dorothy", "dot", "dottie", "dolly"],
    &["edward", "ed", "eddie", "ted", "teddy", "ned"],
    &[
        "elizabeth",
        "liz",
        "beth",
        "betty",
        "betsy",
        "eliza",
        "lisa",
        "libby",
        "lizzie",
        "bess",
    ],
    &["eugene", "gene"],
    &["frances", "fran", "frannie"],
    &["francis", "frank", "fran"],
    &["franklin", "frank"],
    &["frederick", "fred", "freddie", "freddy"],
    &["gerald", "gerry", "jerry"],
    &["gregory", "greg"],
    &["harold", "hal", "harry"],
    &["henry", "hank", "harry", "hal"],
    &["jacob", "jake", "jack"],
    &["james", "jim", "jimmy", "jamie"],
    &["janet", "jan"],
    &["jeffrey", "jeff", "geoffrey", "geoff"],
    &["jennifer", "jen", "jenny", "jenn"],
    &["jessica", "jess", "jessie"],
    &["john", "jack", "johnny", "jon"],
    &["jonathan", "jon", "jonny", "nathan"],
    &["joseph", "joe", "joey"],
    &["joshua", "josh"],
    &["judith", "judy"],
    &["kenneth", "ken", "kenny"],
    &["lawrence", "larry", "laurence"],
    &["leonard", "len", "lenny", "leo"],
    &[
        "margaret", "peggy", "maggie", "meg", "marge", "margie", "greta", "madge",
    ],
    &["matthew", "matt", "matty"],
    &["michael", "mike", "mikey", "mick", "mickey"],
    &["nicholas", "nick", "nicky", "nico"],
    &["pamela", "pam"],
    &["patricia", "pat", "patty", "tricia", "trish"],
    &["patrick", "pat", "paddy"],
    &["peter", "pete"],
    &["philip", "phil", "phillip"],
    &["rebecca", "becky", "becca"],
    &["richard", "rick", "ricky", "dick", "rich", "richie"],
    &["robert", "bob", "bobby", "rob", "robbie", "bert"],
    &["ronald", "ron", "ronnie"],
    &["samantha", "sam", "sammy"],
    &["samuel", "sam", "sammy"],
    &["stephen", "steve", "steven", "stevie"],
    &["susan", "sue", "susie", "suzy"],
    &["theodore", "ted", "teddy", "theo"],
    &["thomas", "tom", "tommy"],
    &["timothy", "tim", "timmy"],
    &["victoria", "vicky", "tori"],
    &["walter", "walt", "wally"],
    &["william", "bill", "billy", "will", "willy", "liam"],
    &["zachary", "zach", "zack"],
];

/// True when the folded first names `a` and `b` differ but one line of the table holds both.
pub fn same_person_by_nickname(a: &str, b: &str) -> bool {
    a != b
        && TABLE
            .iter()
            .any(|line| line.contains(&a) && line.contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs() {
        assert!(same_person_by_nickname("bob", "robert"));
        assert!(same_person_by_nickname("rob", "bob"));
        assert!(same_person_by_nickname("peggy", "margaret"));
        assert!(same_person_by_nickname("bill", "william"));
        assert!(same_person_by_nickname("liz", "elizabeth"));
        assert!(!same_person_by_nickname("bob", "bill"));
        assert!(!same_person_by_nickname("robert", "robert"));
        assert!(TABLE
            .iter()
            .flat_map(|l| l.iter())
            .all(|n| n.bytes().all(|b| b.is_ascii_lowercase())));
    }
}
