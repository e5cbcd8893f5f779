"""Small programs per language and verdict, for the problem in conftest.sum_problem (a + b)."""

PROGRAMS: dict[str, dict[str, str]] = {
    "python": {
        "AC": "a, b = map(int, input().split())\nprint(a + b)\n",
        "WA": "a, b = map(int, input().split())\nprint(a - b)\n",
        "RE": "raise SystemExit(3)\n",
        "TLE": "while True:\n    pass\n",
        "MLE": "chunks = []\nwhile True:\n    chunks.append(bytearray(8 << 20))\n",
        "CE": "def broken(:\n",
    },
    "c": {
        "AC": '#include <stdio.h>\nint main(){int a,b;scanf("%d %d",&a,&b);printf("%d\\n",a+b);}\n',
        "WA": '#include <stdio.h>\nint main(){puts("0");}\n',
        "RE": "int main(){int *p=0; return *p;}\n",
        "TLE": "int main(){volatile int x=0; for(;;) x++;}\n",
        "MLE": '#include <stdlib.h>\n#include <string.h>\nint main(){for(;;){char*p=malloc(1<<20);'
               'if(!p)return 1;memset(p,1,1<<20);}}\n',
        "CE": "int main(){ return x; }\n",
    },
    "cpp": {
        "AC": "#include <iostream>\nint main(){long a,b;std::cin>>a>>b;std::cout<<a+b<<'\\n';}\n",
        "WA": "#include <iostream>\nint main(){std::cout<<\"x\\n\";}\n",
        "RE": "#include <stdexcept>\nint main(){throw std::runtime_error(\"boom\");}\n",
        "TLE": "int main(){volatile long x=0; for(;;) x++;}\n",
        "MLE": "#include <vector>\n#include <cstring>\nint main(){std::vector<char*> v;"
               "for(;;){char*p=new char[1<<20];std::memset(p,1,1<<20);v.push_back(p);}}\n",
        "CE": "int main(){ std::cout << 1; }\n",
    },
    "java": {
        "AC": "import java.util.*;\npublic class Main{public static void main(String[] a){"
              "Scanner s=new Scanner(System.in);System.out.println(s.nextLong()+s.nextLong());}}\n",
        "WA": "public class Main{public static void main(String[] a){System.out.println(-1);}}\n",
        "RE": "public class Main{public static void main(String[] a){int[] x=new int[1];x[2]=1;}}\n",
        "TLE": "public class Main{public static void main(String[] a){long x=0;"
               "while(true){x++;if(x==-1)break;}System.out.println(x);}}\n",
        "MLE": "import java.util.*;\npublic class Main{public static void main(String[] a){"
               "List<long[]> l=new ArrayList<>();while(true)l.add(new long[1<<20]);}}\n",
        "CE": "public class Main{public static void main(String[] a){int x=\"s\";}}\n",
    },
    "javascript": {
        "AC": "const [a,b]=require('fs').readFileSync(0,'utf8').trim().split(/\\s+/).map(Number);"
              "console.log(a+b);\n",
        "WA": "console.log('nope');\n",
        "RE": "null.x;\n",
        "TLE": "for(;;){}\n",
        "MLE": "const l=[];for(;;){l.push(new Array(1<<20).fill(1.5));}\n",
    },
    "rust": {
        "AC": "use std::io::*;\nfn main(){let mut s=String::new();stdin().read_to_string(&mut s)"
              ".unwrap();let v:Vec<i64>=s.split_whitespace().map(|x|x.parse().unwrap()).collect();"
              "println!(\"{}\",v[0]+v[1]);}\n",
        "WA": "fn main(){println!(\"0\");}\n",
        "RE": "fn main(){let v: Vec<i32> = Vec::new(); println!(\"{}\", v[std::env::args().count()]);}\n",
        "TLE": "fn main(){let mut x: u64 = 0; loop { x = x.wrapping_add(std::hint::black_box(1)); "
               "if x == 0 { break; } } println!(\"{}\", x);}\n",
        "MLE": "fn main(){let mut v: Vec<Vec<u8>> = Vec::new(); loop { v.push(vec![1u8; 1 << 20]); }}\n",
        "CE": "fn main(){ let x: i32 = \"s\"; }\n",
    },
    "pypy": {
        "AC": "a, b = map(int, input().split())\nprint(a + b)\n",
        "WA": "print(0)\n",
        "RE": "raise SystemExit(3)\n",
        "TLE": "while True:\n    pass\n",
        "MLE": "chunks = []\nwhile True:\n    chunks.append(bytearray(8 << 20))\n",
        "CE": "def broken(:\n",
    },
    "go": {
        "AC": "package main\nimport \"fmt\"\nfunc main(){var a,b int64;fmt.Scan(&a,&b);fmt.Println(a+b)}\n",
        "WA": "package main\nimport \"fmt\"\nfunc main(){fmt.Println(0)}\n",
        "RE": "package main\nfunc main(){var m map[string]int;m[\"x\"]=1}\n",
        "TLE": "package main\nfunc main(){x:=0;for{x++}}\n",
        "MLE": "package main\nfunc main(){var l [][]byte;for{b:=make([]byte,1<<20);"
               "for i:=range b{b[i]=1};l=append(l,b)}}\n",
        "CE": "package main\nfunc main(){var x int = \"s\"}\n",
    },
    "kotlin": {
        "AC": "fun main() {\n    val (a, b) = readLine()!!.trim().split(\" \").map { it.toLong() }\n"
              "    println(a + b)\n}\n",
        "WA": "fun main() {\n    println(-1)\n}\n",
        "RE": "fun main() {\n    val x = IntArray(1)\n    x[2] = 1\n}\n",
        "TLE": "fun main() {\n    var x = 0L\n    while (true) { x++; if (x == -1L) break }\n    println(x)\n}\n",
        "MLE": "fun main() {\n    val l = ArrayList<LongArray>()\n    while (true) l.add(LongArray(1 shl 20))\n}\n",
        "CE": "fun main() {\n    val x: Int = \"s\"\n}\n",
    },
}
