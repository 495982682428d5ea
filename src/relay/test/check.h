/* The C unit tests' shared checks (unit.c, udp.c, record.c). */
#ifndef MPWAN_TEST_CHECK_H
#define MPWAN_TEST_CHECK_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

extern int failures, checks;
#define CHECK(cond) do { checks++; if (!(cond)) { failures++; fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, #cond); } } while (0)

void hex(const char *s, uint8_t *out, size_t n);
void test_udp(void);
void test_records(void);

#endif
