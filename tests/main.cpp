// The only thing here is doctest's main(); tests live in one file per concept.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
