from arena.judge.java_main import java_entry


def test_a_public_class_with_main_names_the_file_and_runs():
    source = "import java.util.*;\npublic class Solution {\n  public static void main(String[] args) {}\n}\n"
    assert java_entry(source) == ("Solution.java", "Solution")


def test_a_source_without_a_public_class_runs_the_class_that_has_main():
    source = "class Helper {}\nclass B { public static void main(String... a) {} }\n"
    assert java_entry(source) == ("B.java", "B")


def test_a_public_helper_names_the_file_while_another_class_holds_main():
    source = ("public final class Kattio { static class Inner { public static void main(String[] x) {} } }\n"
              "class Sol { public static void main(String[] a) {} }\n")
    assert java_entry(source) == ("Kattio.java", "Sol")


def test_classes_in_comments_and_strings_do_not_count():
    source = ('// public class Fake { public static void main(String[] a) {} }\n'
              '/* class Other { static void main(String[] a) {} } */\n'
              'public class Real { public static void main(String[] a) { String s = "class X {"; '
              "char c = '{'; } }\n")
    assert java_entry(source) == ("Real.java", "Real")


def test_a_nested_public_class_is_not_the_file_name():
    source = "class Outer { public static class Node {} public static void main(String[] a) {} }\n"
    assert java_entry(source) == ("Outer.java", "Outer")


def test_a_source_with_no_class_falls_back_to_main():
    assert java_entry("garbage {") == ("Main.java", "Main")
