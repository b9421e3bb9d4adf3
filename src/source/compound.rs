//! Compound statements (`BEGIN … END`) inside `CREATE TRIGGER`, `PROCEDURE`, `FUNCTION` or
//! `EVENT`: MySQL/MariaDB bodies and PostgreSQL's `BEGIN ATOMIC` hold semicolons that do not end
//! the statement. The splitter feeds the words and symbols it reads outside quotes and comments;
//! this tracker says whether a `;` is inside such a block.
//!
//! `BEGIN` opens a block only in those `CREATE` statements and outside parentheses, so that a
//! column or argument named `begin` and PostgreSQL's transaction `BEGIN;` keep splitting as
//! before. Inside a block, `CASE … END` nests and `END IF`, `END LOOP`, `END WHILE` and
//! `END REPEAT` close no block.

/// Words after `CREATE [OR REPLACE] [DEFINER = …]` within which the object kind must appear.
const KIND_WITHIN_WORDS: usize = 8;

#[derive(Debug, Default)]
pub(super) struct CompoundTracker {
    /// Words read in the current statement.
    words: usize,
    starts_with_create: bool,
    /// The statement creates a trigger, routine or event, whose body may be compound.
    routine: bool,
    parentheses: usize,
    /// Open `BEGIN` and `CASE` blocks.
    depth: usize,
    /// An `END` was read inside a block; the next word tells whether it closes one.
    pending_end: bool,
}

impl CompoundTracker {
    /// Forgets the statement that just ended.
    pub(super) fn reset(&mut self) {
        *self = CompoundTracker::default();
    }

    /// Whether a `;` read now belongs to the statement instead of ending it.
    pub(super) fn inside_block(&mut self) -> bool {
        self.resolve_end();
        self.depth > 0
    }

    /// A byte that is neither a word nor whitespace: a parenthesis, an operator, a quote.
    pub(super) fn symbol(&mut self, byte: u8) {
        self.resolve_end();
        match byte {
            b'(' => self.parentheses += 1,
            b')' => self.parentheses = self.parentheses.saturating_sub(1),
            _ => {}
        }
    }

    /// A word (keyword or unquoted identifier).
    pub(super) fn word(&mut self, word: &str) {
        let upper = word.to_ascii_uppercase();
        if self.pending_end {
            self.pending_end = false;
            match upper.as_str() {
                "IF" | "LOOP" | "WHILE" | "REPEAT" => return,
                "CASE" => {
                    self.depth -= 1;
                    return;
                }
                _ => self.depth -= 1,
            }
        }
        self.words += 1;
        if self.words == 1 {
            self.starts_with_create = upper == "CREATE";
            return;
        }
        if self.starts_with_create
            && self.words <= KIND_WITHIN_WORDS
            && self.depth == 0
            && matches!(
                upper.as_str(),
                "TRIGGER" | "PROCEDURE" | "FUNCTION" | "EVENT"
            )
        {
            self.routine = true;
        }
        match upper.as_str() {
            "BEGIN" if self.routine && (self.depth > 0 || self.parentheses == 0) => self.depth += 1,
            "CASE" if self.depth > 0 => self.depth += 1,
            "END" if self.depth > 0 => self.pending_end = true,
            _ => {}
        }
    }

    /// An `END` followed by no word (`;`, a symbol, the end of the text) closes a block.
    fn resolve_end(&mut self) {
        if self.pending_end {
            self.pending_end = false;
            self.depth -= 1;
        }
    }
}
