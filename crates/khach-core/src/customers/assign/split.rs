//! How ticked customers are split among owners. Pure functions: a list of `n`
//! customers in list order becomes one owner index per customer (or none, for
//! customers an advanced split by count leaves as they are).

/// Round robin in list order: the 1st customer to owner 0, the 2nd to owner 1, …
pub fn sequential(n: usize, owners: usize) -> Vec<Option<usize>> {
    if owners == 0 {
        return vec![None; n];
    }
    (0..n).map(|i| Some(i % owners)).collect()
}

/// The same count to each owner, the remainder to the last one chosen (Getfly's rule
/// on import): 10 over 3 owners gives 3, 3, 4.
pub fn even_counts(n: usize, owners: usize) -> Vec<usize> {
    if owners == 0 {
        return Vec::new();
    }
    let each = n / owners;
    let mut counts = vec![each; owners];
    if let Some(last) = counts.last_mut() {
        *last += n - each * owners;
    }
    counts
}

/// Percentages (summing to 100) turned into counts summing to `n`, by largest
/// remainder: each owner gets the whole part of its quota, and the customers left go
/// one each to the owners with the largest fractional parts; equal fractions go to the
/// owner chosen earlier. Deterministic.
pub fn percent_counts(n: usize, percents: &[u32]) -> Vec<usize> {
    let quotas: Vec<(usize, u64)> = percents
        .iter()
        .map(|&p| {
            let scaled = n as u64 * u64::from(p);
            ((scaled / 100) as usize, scaled % 100)
        })
        .collect();
    let mut counts: Vec<usize> = quotas.iter().map(|q| q.0).collect();
    let given: usize = counts.iter().sum();
    let mut order: Vec<usize> = (0..quotas.len()).collect();
    // Largest fraction first; the stable sort keeps the chosen order among equals.
    order.sort_by(|&a, &b| {
        let fa = quotas.get(a).map_or(0, |q| q.1);
        let fb = quotas.get(b).map_or(0, |q| q.1);
        fb.cmp(&fa)
    });
    for &i in order.iter().take(n.saturating_sub(given)) {
        if let Some(c) = counts.get_mut(i) {
            *c += 1;
        }
    }
    counts
}

/// Consecutive runs of the list: the first `counts[0]` customers to owner 0, the next
/// `counts[1]` to owner 1, …; customers past the sum keep their owner (`None`).
pub fn runs(n: usize, counts: &[usize]) -> Vec<Option<usize>> {
    let mut out = Vec::with_capacity(n);
    for (owner, &c) in counts.iter().enumerate() {
        out.extend(std::iter::repeat_n(Some(owner), c));
    }
    out.truncate(n);
    out.resize(n, None);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn tally(plan: &[Option<usize>], owners: usize) -> Vec<usize> {
        let mut t = vec![0; owners];
        for o in plan.iter().flatten() {
            t[*o] += 1;
        }
        t
    }

    #[test]
    fn sequential_goes_in_turn() {
        assert_eq!(
            sequential(5, 2),
            vec![Some(0), Some(1), Some(0), Some(1), Some(0)]
        );
        assert_eq!(sequential(2, 0), vec![None, None]);
    }

    #[test]
    fn even_split_gives_the_remainder_to_the_last() {
        assert_eq!(even_counts(10, 3), vec![3, 3, 4]);
        assert_eq!(even_counts(2, 3), vec![0, 0, 2]);
        assert_eq!(even_counts(9, 3), vec![3, 3, 3]);
        assert_eq!(
            runs(5, &even_counts(5, 2)),
            vec![Some(0), Some(0), Some(1), Some(1), Some(1)]
        );
    }

    #[test]
    fn percentages_by_largest_remainder() {
        // 7 × 50 % = 3.5 each: the tie goes to the owner chosen first.
        assert_eq!(percent_counts(7, &[50, 50]), vec![4, 3]);
        // 10 × (33, 33, 34) = 3.3, 3.3, 3.4: the last has the largest fraction.
        assert_eq!(percent_counts(10, &[33, 33, 34]), vec![3, 3, 4]);
        assert_eq!(percent_counts(100, &[60, 40]), vec![60, 40]);
        assert_eq!(percent_counts(1, &[10, 20, 70]), vec![0, 0, 1]);
        assert_eq!(percent_counts(0, &[100]), vec![0]);
    }

    #[test]
    fn runs_leave_the_rest_alone() {
        assert_eq!(runs(4, &[1, 2]), vec![Some(0), Some(1), Some(1), None]);
    }

    proptest! {
        #[test]
        fn sequential_is_balanced(n in 0usize..500, k in 1usize..20) {
            let t = tally(&sequential(n, k), k);
            let (min, max) = (t.iter().min().copied().unwrap_or(0), t.iter().max().copied().unwrap_or(0));
            prop_assert!(max - min <= 1);
            prop_assert_eq!(t.iter().sum::<usize>(), n);
            // The earlier owners get the extra ones.
            prop_assert!(t.windows(2).all(|w| w[0] >= w[1]));
        }

        #[test]
        fn even_assigns_everyone_and_only_the_last_gets_more(n in 0usize..500, k in 1usize..20) {
            let c = even_counts(n, k);
            prop_assert_eq!(c.iter().sum::<usize>(), n);
            prop_assert!(c[..k - 1].iter().all(|&x| x == n / k));
            prop_assert!(c[k - 1] - n / k < k);
        }

        #[test]
        fn percentages_sum_to_n_and_stay_within_one_of_the_quota(
            n in 0usize..2000,
            cuts in proptest::collection::vec(0u32..=100, 1..8),
        ) {
            // Turn arbitrary cuts into percentages that sum to 100.
            let mut ps: Vec<u32> = Vec::new();
            let mut left = 100u32;
            for c in &cuts {
                let p = (*c).min(left);
                ps.push(p);
                left -= p;
            }
            if let Some(last) = ps.last_mut() { *last += left; }
            let counts = percent_counts(n, &ps);
            prop_assert_eq!(counts.iter().sum::<usize>(), n);
            for (c, p) in counts.iter().zip(&ps) {
                let exact = n as f64 * f64::from(*p) / 100.0;
                prop_assert!((*c as f64 - exact).abs() < 1.0, "{} vs {}", c, exact);
            }
            // Same input, same answer.
            prop_assert_eq!(counts, percent_counts(n, &ps));
        }
    }
}
