/* check_err.c -- status codes, messages and the last-error record. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "cor_err.h"
#include "cor_sys.h"

static int calls;
static void
count_handler(const cor_error_record *rec)
{
    (void)rec;
    calls++;
}

START_TEST(test_strerror)
{
    ck_assert_str_eq(cor_strerror(COR_OK), "success");
    ck_assert_str_eq(cor_strerror(COR_EPARSE), "parse error");
    ck_assert_str_eq(cor_strerror(12345), "unknown status");
    ck_assert_str_eq(cor_status_name(COR_NONFINITE), "NONFINITE");
    ck_assert(!cor_status_is_error(COR_DIVERGED));
    ck_assert(cor_status_is_error(COR_EINVAL));
}
END_TEST

START_TEST(test_record_and_handler)
{
    cor_error_clear();
    ck_assert_int_eq(cor_last_error()->code, COR_OK);
    int r = COR_ERROR(COR_EINVAL, "bad %s %d", "value", 7);
    ck_assert_int_eq(r, COR_EINVAL);
    ck_assert_int_eq(cor_last_error()->code, COR_EINVAL);
    ck_assert_str_eq(cor_last_error()->msg, "bad value 7");
    ck_assert_ptr_nonnull(strstr(cor_last_error()->file, "check_err.c"));

    calls = 0;
    cor_error_handler old = cor_set_error_handler(count_handler);
    ck_assert_ptr_null(old);
    COR_ERROR(COR_EIO, "x");
    ck_assert_int_eq(calls, 1);
    ck_assert_ptr_eq(cor_set_error_handler(NULL), count_handler);
    COR_ERROR(COR_EIO, "y");
    ck_assert_int_eq(calls, 1);
    cor_error_clear();
    ck_assert_int_eq(cor_last_error()->code, COR_OK);
}
END_TEST

START_TEST(test_long_message_truncated)
{
    char big[2000];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = 0;
    COR_ERROR(COR_EINVAL, "%s", big);
    ck_assert_uint_eq(strlen(cor_last_error()->msg), sizeof cor_last_error()->msg - 1);
}
END_TEST

START_TEST(test_alloc)
{
    void *p = cor_mallocarray((size_t)-1 / 2, 4);
    ck_assert_ptr_null(p);
    ck_assert_int_eq(cor_last_error()->code, COR_ENOMEM);
    p = cor_malloc(0);
    ck_assert_ptr_nonnull(p);
    cor_free(p);
    cor_free(NULL);
    char *s = cor_strdup("abc");
    ck_assert_str_eq(s, "abc");
    cor_free(s);
    ck_assert_ptr_nonnull(strstr(cor_build_info(), cor_version()));
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("err");
    TCase *tc = tcase_create("err");
    tcase_add_test(tc, test_strerror);
    tcase_add_test(tc, test_record_and_handler);
    tcase_add_test(tc, test_long_message_truncated);
    tcase_add_test(tc, test_alloc);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_ENV);
    int nf = srunner_ntests_failed(sr);
    srunner_free(sr);
    return nf ? EXIT_FAILURE : EXIT_SUCCESS;
}
