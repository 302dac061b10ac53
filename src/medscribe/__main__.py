from medscribe.cli import main

main()
