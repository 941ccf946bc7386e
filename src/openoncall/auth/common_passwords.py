"""The most common passwords, refused whatever else they satisfy.

From "10-million-password-list-top-10000.txt" (Mark Burnett's list, as published in
SecLists, MIT licence): most of its first 1,800 entries (a few vulgar ones left out) and
its entries of 10 characters or more, lowercased. Shorter ones still matter: a password made of
one of them and digits or symbols (`password2024!`) is refused too (see `passwords`).
"""

from __future__ import annotations

COMMON_PASSWORDS = frozenset(
    """
0000 00000 000000 00000000 0000000000 007007 010101 01011 01011980 01011990 01012000 01012010
01012011 010203 0123456789 0192837465 098765 0987654321 1010 101010 102030 1029384756 1111 11111
111111 1111111 11111111 1111111111 111222 112233 11223344 112358 11235813 1123581321 1212 121212
12121212 1212121212 121314 12312 123123 123123123 123123a 1232323q 123321 1234 12341234 1234321
12344321 12345 123454321 1234554321 123456 123456654321 1234567 12345678 123456789 1234567890
1234567890- 1234567890q 1234567891 12345678910 1234567899 123456789a 123456789d 123456789m
123456789q 123456789qwe 123456789s 123456789z 12345678q 123456a 123456q 123456qwerty 12345a
12345q 12345qwert 1234abcd 1234qwer 123654 123654789 123789 123abc 123asd 123qwe 123qwe123
123qweasd 123qweasdzxc 124578 12qwaszx 1313 131313 13131313 134679 13579 135790 1357924680
141414 141627 142536 147147 147258 147258369 147852 147852369 1478963 14789632 151515 159357
159753 159951 171717 181818 191919 1961 1963 1964 1965 1966 1967 1968 1969 1970 1971 1972 1973
1974 1975 1976 1977 1978 1979 1980 1981 1982 1983 1984 1985 1986 1987 1988 1989 1990 1991 1992
1993 1994 1995 1a2b3c 1q1q1q 1q2w3e 1q2w3e4r 1q2w3e4r5t 1q2w3e4r5t6y 1qaz2wsx 1qaz2wsx3edc
1qazxsw2 1qazxsw23edc 2000 2001 2002 202020 2112 21122112 2121 212121 2222 22222 222222 22222222
2222222222 2323 232323 242424 246810 252525 272727 314159 31415926 315475 321321 321654 323232
3333 333333 343434 363636 4128 420420 424242 4321 4444 444444 44444444 454545 456123 456456
456789 4815162342 5150 51505150 54321 5555 55555 555555 5555555 55555555 5555555555 555666
565656 65432 654321 6666 66666 666666 66666666 666999 6969 696969 69696969 741852 741852963
753951 7654321 7777 77777 777777 7777777 77777777 7777777777 789456 789456123 7894561230 7895123
852456 8675309 87654321 8888 888888 88888888 909090 911911 951753 987654 98765432 987654321 9999
999999 99999999 999999999 9999999999 a12345 a123456 a1234567 a1b2c3 a1b2c3d4 aaaa aaaaa aaaaaa
aaaaaaaa aardvark aaron abc123 abcd abcd1234 abcdef abcdefg abcdefgh abigail abrakadabra access
access14 accord action adam adgjmptw adidas admin adrian airborne airforce airplane alabama
alaska albert aleksandr alex alexande alexander alexandr alexis alfred alicia alison allison
alpha alpha1 alpine always alyssa amanda amber america american anakin anderson andre andrea
andreas andrei andrew andrey andy angel angel1 angela angelina angelo angels animal anna anthony
antonio anything apache apollo apple apple1 apples april aragorn archie arizona arnold arsenal
arthur artist asasas asd123 asdasd asdf asdf1234 asdfasdf asdfg asdfgh asdfghj asdfghjk
asdfghjkl ashley assassin athena atlanta atlantis audrey august aurora austin autumn avalon
avatar awesome azerty babe baby babydoll babygirl babylon babylon5 badboy badger bailey baller
bambam banana bandit barbara barbie barcelona barney baseball baseball1 basket basketba
basketball bass bassman batman baxter bbbbbb beach beagle bear beatles beauty beaver beavis beer
beetle benjamin benson berlin bernard bernie bertha bianca bigboy bigdaddy bigdog bigfoot bigmac
bigman bigone bigred bill billy billybob birdie birthday biscuit bishop biteme blabla black
blackcat blackie blahblah blaster blazer blessed blink182 blizzard blonde blondie blue blue22
bluebird bluemoon bluesky bobafett bobbob bobby bobcat bomber bond007 bonehead bonnie booboo
booger boogie boomer boston bowling bradley brandi brandon brandy braves brazil brenda brian
brianna britney brittany bronco broncos brooke brooklyn brother brown browns bruins brutus bubba
bubba1 bubble bubbles buckeye buckeyes buddha buddy buddy1 budlight buffalo bulldog bulldogs
bullet bunny burger burton business buster butter butterfl butterfly cactus cadillac caesar
callie calvin camaro camera cameron campbell canada cancer candy cannon captain cardinal carlos
carmen carolina caroline carrie carter cartman casey casino casper cassie castle catch22 catdog
catfish cavalier celtic cessna champion chance chandler change changeme charger charles charlie
charlie1 cheese chelsea cherokee cherry cheryl chester chevelle chevy cheyenne chicago chichi
chicken chicks chiefs chipper chocolat chopper chris chris1 chrissy christ christia christian
christin christop christopher christy chronic chuck claire classic claudia clifford clinton
cobra cocacola coffee college colorado colors compaq computer concrete connect connie connor
consumer control cookie cookies cool cooldude cooper copper corona corvette cotton cougar
country courtney cowboy cowboys coyote crazy cream creative cricket cristina crystal curtis
daddy daisy dakota dallas dancer danger daniel daniela danielle danny darkness darkside darkstar
darren dave david david1 dddddd death debbie december deedee defender deftones delta denise
dennis denver design desire destiny detroit devildog devils dexter dfvgbh diablo diamond
diamonds diana diesel dietcoke digger digital dilbert dirty disney doctor dodge dodger dodgers
doggie doggy dollar dolphin dolphins domino donald donkey douglas dragon dragon1 dragons dream
dreamer dreams driver drowssap drpepper drummer ducati dude dudley duke duncan dustin eagle
eagle1 eagles eclipse eddie edward einstein elaine electric element elena elephant elizabet
elizabeth elvis emerald emily eminem empire energy engineer england enigma enjoy enter enterpri
eric eugene everton explorer express extreme falcon family fantasy farmer faster fatboy fatcat
father fender fernando ferrari ferret finger fire fireball firebird fireman fish fisher fishing
flash flatron flipper florence florida flower flowers fluffy flyers foobar football football1
ford forest forever forget fossil france francis frank frankie franklin freak freaky fred
freddie freddy fredfred free freedom freedom1 freeman freepass freeuser friday friend friends
froggy future gabriel galaxy galina gambit gandalf garcia garden garfield gateway gators geheim
gemini general genesis genius george georgia german germany geronimo gfhjkm gfhjkmgfhjkm gggggg
ghbdtn ghjcnjgfhjkm giants gibson ginger giovanni girl girls gizmo global gloria goblue goddess
godzilla goforit gogogo goldberg golden goldfish goldie golf golfer goober good google gordon
gracie great green greenday gregory griffin guinness guitar gundam gunner hacker hahaha hamilton
hamlet hammer hamster hannah hansolo happy happy1 hard hardcore harley harold harris harrison
harry harrypotter harvey hawaii hawkeye heather heaven hector hellfire hello hello1 hello123
help helpme hendrix hercules herman hesoyam highland hiphop history hitman hobbes hobbit hockey
holden holiday holland holly hollywoo home homer honda honey hongkong hooters hornet horse
horses hotdog hotrod hotstuff hottie house houston howard hummer hunter hunting huskers ibanez
icecream iceman iloveu iloveyou iloveyou1 iloveyou2 immortal impala indian indiana indians
indigo inferno infinity insane inside integra internet ireland irina ironman isabella isabelle
island italia jack jackie jackson jaguar jake jamaica james james1 jamie january japan jasmin
jasmine jason jasper jeff jeffrey jennifer jenny jeremy jerome jerry jessica jessica1 jessie
jester jesus jesus1 jimmy jjjjjj joanna joanne joejoe joey john johnny johnson joker jonathan
jones jordan jordan23 joseph joshua juice julian julie jumper jungle junior jupiter justice
justin justme juventus kaiser karate karen karina katana kathleen katie katrina kawasaki kelly
kelsey kenneth kermit kevin killer kimberly king kingkong kirill kissme kitten kitty kkkkkk
klaster knicks knight kodiak kramer kristen kristin kristina lacrosse ladies ladybug lakers
lalala lancer larisa larry lasvegas laura lauren lawrence leather leavemealone legend legion
lennon leonard leonardo leslie lestat letmein letmein1 letmein2 liberty lifehack light lights
lincoln linda lindsay lindsey lisa little liverpoo liverpool lizard logan logitech lol123
lollipop lollol london lonewolf long longhorn looking loser louise loulou love lovelove lovely
loveme lover loverboy lovers loveyou lucifer lucky lucky1 machine maddie maddog madison madman
madmax madness madonna maggie magic magnum maiden maksim malibu manager manchester maniac manson
manuel manutd marathon marcel marcus margaret maria mariah marie marina marine marines marino
mario marion mark marlboro marley marshall martha martin martina martini marvin maryjane master
matrix matt matthew matthew1 maverick maxima maximus maxwell melanie melissa member mememe
mercedes mercury merlin metallic metallica mexico michael michael1 michel michele michelle
michigan mickey microsoft midnight mike miller millie million milton mine minecraft minnie
miranda mission mississippi missy mister mitchell mmmmmm mnbvcxz molly monday money money1
mongoose monica monika monique monitor monkey monkey1 monster montana montreal mookie moomoo
moon moose morgan morpheus morris morrison mother motherfucker motorola mountain mouse movie
mozart muffin mulder murphy music mustang mustang1 mylove nadine napoleon naruto nascar nastya
natali natalia natalie natasha nathan naughty ncc1701 nelson nemesis network newman newport
newton newyork nicholas nick nicola nicolas nicole nikita nikki niners nintendo nirvana nissan
nolimit none norman norton nothing november nugget october office oicu812 oksana olga oliver
olivia omega onelove online open openup orange orion orlando oscar ou812 outlaw overlord packard
packers pakistan paladin pamela panama pandora pantera panther panthers panzer paradise paris
parker party pascal pass passat passion passport passw0rd passwor password password1 password12
password123 passwords patches patricia patrick patriots patton paul pavilion peace peaches
peanut pearljam pebbles peekaboo peewee pegasus pencil penguin pentium people pepper pepsi
perfect personal peter phantom philip philips phillip phoenix phpbb picard pickle pickles pierre
piglet pimpin pioneer pirate pirates pitbull pizza planet plastic platinum playboy player please
pleasure poison poiuyt pokemon polaris police polina pontiac poohbear pookie poop poopoo popcorn
popeye porsche portugal potter power powers pppppp precious predator prelude presario pretty
prince princess private psycho pumpkin punkrock purple pussycat pyramid q12345 q1w2e3 q1w2e3r4
q1w2e3r4t5 q1w2e3r4t5y6 qawsed qaz123 qazqaz qazwsx qazwsx123 qazwsxedc qazwsxedc123
qazwsxedcrfv qazxsw qazxswedc qqq111 qqqqqq qwaszx qwe123 qweasd qweasdzxc qweqwe qwer1234
qwerasdfzxcv qwert qwerty qwerty1 qwerty12 qwerty123 qwerty1234 qwerty12345 qwerty123456
qwertyqwerty qwertyu qwertyui qwertyuiop rabbit racecar rachel racing raider raiders rainbow
random ranger rangers raptor rascal raven raymond reaper rebecca red123 reddog redhead redman
redneck redrum redskins redsox redwings reggie regina remember renegade richard ripper robbie
robert roberto rock rocker rocket rocks rockstar rocky rocky1 roland rolltide rommel ronald
ronaldo ronnie rooster roscoe rose rosebud rubber runner rush2112 ruslan russell russia rusty
ryan sabrina sailing sailor saints sakura salmon samantha sammie sammy sammy1 sampson samson
samsung samuel samurai sandman sandra sandy sarah sasha saturn savage savannah scarface school
scooby scooter scorpio scorpion scotland scott scotty scully seattle secret security seminole
semperfi serega serenity sergey sergio service seven sexy shadow shadow1 shaggy shalom shamrock
shannon sharon shelby shelly sherlock sherman sherry shirley shooter shorty shotgun sidney
siemens sierra silver silvia simon simone simple simpson simpsons singer single sister skater
skeeter skipper skippy skyline slayer slipknot smile smiles smiley smith smitty smoke smokey
smooth snake snakes snickers sniper snoopy snowball snowman soccer softball soldier solomon
sophia sophie spanky sparky spartak spartan special speed speedy spencer spider spiderma
spiderman spike spirit spitfire spooky sports spring sprite spunky spyder squirt ssssss stacey
stalker stallion stanley star stargate stars startrek starwars stealth steelers stefan stella
stephani stephen sterling steve steven stewart sticky stinger stingray stinky stocking stones
storm stormy strawberry street strike student stupid subaru sublime success sugar summer
sundance sunday sunny sunset sunshine super super123 superfly superman superman1 surfer susan
suzuki svetlana sweet sweetie sweetpea sweety swimming swordfis swordfish sydney sylvia system
tanner target tarheels tarzan tattoo taurus taylor teacher techno tennis teresa test test123
tester testing testtest texas thailand theman theone therock thomas thuglife thumper thunder
thx1138 tickle tiffany tiger tiger1 tigers tigger timber time timothy tinker tintin titanic
titans tomcat tommy tomtom tony topgun tornado toronto toshiba tottenha toyota transam travel
travis trevor trigger trinity tristan triumph trixie trojan trombone trooper trouble truck
trucker trucks trumpet trunks trustno1 tucker turbo turkey turtle tweety tyler ultimate unicorn
united unreal valentin valentina valera valerie vampire vanessa vegeta veronica veronika victor
victoria victory video viking vikings viktor vincent viper virginia vision vladimir voodoo
voyager walker wallace walter warcraft warlock warren warrior water waters watson weasel webster
welcome welcome1 werewolf wesley westham westside whatever whiskey white whynot wicked wildcat
wildcats william williams willie willow wilson windows winner winnie winston winter wizard wolf
wolfgang wolfpack wolverin wolves wombat wonder woody wordpass wrangler wutang wwwwww xavier
xfiles xxxx xxxxx xxxxxx xxxxxxxx yamaha yankee yankees yankees1 yellow yomama young yoyoyo
ytrewq yvonne zachary zaq12wsx zaqwsx zeppelin zipper zombie zxc123 zxcasdqwe123 zxcvb zxcvbn
zxcvbnm zzzzzz zzzzzzzz
""".split()  # noqa: SIM905  (a word list reads and updates better than 1,800 quoted strings)
)
