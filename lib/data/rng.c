/* rng.c -- splitmix64 in counter mode, sub-stream keys, unbiased ranges, permutations.
 *
 * splitmix64 (Steele, Lea & Flood 2014; the reference code by Vigna) advances its state by
 * the odd constant gamma = 0x9e3779b97f4a7c15 and outputs mix64(state). The k-th output
 * (k from 0) of the generator seeded with s is therefore mix64(s + (k + 1) gamma): a
 * counter-based generator whose state is (key, counter), so any output can be computed
 * directly and the state saved as two words. mix64 is a bijection of 64-bit words, so
 * distinct counters of one key give distinct outputs within a period of 2^64.
 * Sub-stream keys hash (parent, tag) through mix64 twice; they are not proven independent
 * (no counter-based generator's streams are), but mix64 passes the usual avalanche tests and
 * the tests of this module check uniformity of the derived permutations. */
#include "config.h"

#include "cor_data.h"

#define GAMMA 0x9e3779b97f4a7c15ULL

uint64_t
cor_data_mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

uint64_t
cor_data_rng_at(uint64_t key, uint64_t ctr)
{
    return cor_data_mix64(key + (ctr + 1) * GAMMA);
}

uint64_t
cor_data_key(uint64_t parent, uint64_t tag)
{
    return cor_data_mix64(parent ^ cor_data_mix64(tag + 0xd1b54a32d192ed03ULL));
}

void
cor_data_rng_init(cor_data_rng *r, uint64_t key)
{
    r->key = key;
    r->ctr = 0;
}

uint64_t
cor_data_rng_next(cor_data_rng *r)
{
    return cor_data_rng_at(r->key, r->ctr++);
}

/* Lemire (2019), "Fast random integer generation in an interval": the high word of x * n is
 * uniform on [0, n) once the low word is rejected when it falls below 2^64 mod n. */
uint64_t
cor_data_rng_below(cor_data_rng *r, uint64_t n)
{
    unsigned __int128 m;
    uint64_t lo;

    if (n == 0)
        return 0;
    m = (unsigned __int128)cor_data_rng_next(r) * n;
    lo = (uint64_t)m;
    if (lo < n)
    {
        uint64_t t = (0 - n) % n; /* 2^64 mod n */

        while (lo < t)
        {
            m = (unsigned __int128)cor_data_rng_next(r) * n;
            lo = (uint64_t)m;
        }
    }
    return (uint64_t)(m >> 64);
}

void
cor_data_permutation(size_t *perm, size_t n, uint64_t key)
{
    cor_data_rng r;

    cor_data_rng_init(&r, key);
    for (size_t i = 0; i < n; i++)
        perm[i] = i;
    for (size_t i = n; i > 1; i--)
    {
        size_t j = (size_t)cor_data_rng_below(&r, i);
        size_t t = perm[i - 1];

        perm[i - 1] = perm[j];
        perm[j] = t;
    }
}
