//! Who owns a customer an import creates. An owner column (a username) wins; then
//! "mark as mine"; then the split over the chosen staff, by the row's place among the
//! rows of the file that have no owner cell (so a resumed run splits exactly as a
//! clean one). The split math is the assignment's ([`crate::customers::assign`]).

use crate::customers::assign::split;
use khach_types::api::OwnerMode;

/// The split of one run: how many rows reach it, over which accounts.
#[derive(Debug, Clone)]
pub struct Plan {
    pub mode: OwnerMode,
    pub owners: Vec<i64>,
    /// Rows of the file without an owner cell (known from a first pass).
    pub total: usize,
    /// Whoever runs the import.
    pub me: Option<i64>,
    /// Cumulative end of each owner's run, for the even split.
    ends: Vec<usize>,
}

impl Plan {
    pub fn new(mode: OwnerMode, owners: Vec<i64>, total: usize, me: Option<i64>) -> Self {
        let mut ends = Vec::new();
        if mode == OwnerMode::Even {
            let mut acc = 0;
            for c in split::even_counts(total, owners.len()) {
                acc += c;
                ends.push(acc);
            }
        }
        Self {
            mode,
            owners,
            total,
            me,
            ends,
        }
    }

    /// The owner of the row that is the `slot`-th (0-based) without an owner cell.
    fn split(&self, slot: usize) -> Option<i64> {
        match self.mode {
            OwnerMode::Mine => self.me,
            OwnerMode::Nobody => None,
            OwnerMode::Sequential => {
                let k = self.owners.len();
                if k == 0 {
                    return self.me;
                }
                self.owners.get(slot % k).copied()
            }
            OwnerMode::Even => {
                let i = self.ends.iter().position(|&e| slot < e);
                // Past the counted rows (should not happen): the last one chosen.
                i.and_then(|i| self.owners.get(i))
                    .or(self.owners.last())
                    .copied()
                    .or(self.me)
            }
        }
    }

    /// The owner of a row: its owner cell if it has one, else by the mode.
    pub fn owner(&self, cell: Option<i64>, slot: usize) -> Option<i64> {
        cell.or_else(|| self.split(slot))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn remainder_to_the_last_chosen() {
        let p = Plan::new(OwnerMode::Even, vec![7, 8, 9], 10, Some(1));
        let got: Vec<_> = (0..10).map(|s| p.owner(None, s).unwrap()).collect();
        assert_eq!(got, vec![7, 7, 7, 8, 8, 8, 9, 9, 9, 9]);
    }

    proptest! {
        #[test]
        fn owner_cell_wins_then_mine_then_split(
            cell in proptest::option::of(1i64..100),
            mode in prop_oneof![Just(OwnerMode::Mine), Just(OwnerMode::Even), Just(OwnerMode::Sequential), Just(OwnerMode::Nobody)],
            owners in proptest::collection::vec(100i64..200, 1..6),
            total in 0usize..300,
            slot in 0usize..300,
        ) {
            let p = Plan::new(mode, owners.clone(), total, Some(42));
            let got = p.owner(cell, slot);
            match (cell, mode) {
                (Some(c), _) => prop_assert_eq!(got, Some(c)),
                (None, OwnerMode::Mine) => prop_assert_eq!(got, Some(42)),
                (None, OwnerMode::Nobody) => prop_assert_eq!(got, None),
                (None, _) => prop_assert!(got.is_some_and(|o| owners.contains(&o))),
            }
        }

        #[test]
        fn even_split_counts(owners in 1usize..8, total in 0usize..500) {
            let ids: Vec<i64> = (0..owners as i64).collect();
            let p = Plan::new(OwnerMode::Even, ids.clone(), total, None);
            let mut tally = vec![0usize; owners];
            for s in 0..total {
                tally[p.owner(None, s).unwrap() as usize] += 1;
            }
            prop_assert_eq!(tally.iter().sum::<usize>(), total);
            let each = total / owners;
            prop_assert!(tally[..owners - 1].iter().all(|&t| t == each));
            prop_assert_eq!(tally[owners - 1], total - each * (owners - 1));
        }

        #[test]
        fn sequential_takes_turns(owners in 1usize..8, total in 0usize..500) {
            let ids: Vec<i64> = (0..owners as i64).collect();
            let p = Plan::new(OwnerMode::Sequential, ids, total, None);
            for s in 0..total {
                prop_assert_eq!(p.owner(None, s), Some((s % owners) as i64));
            }
        }
    }
}
